"""The educators' view: what people asked (masked before it was logged) and how the assistant handled it."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from bot.db.models import QaLog
from bot.db.session import session_scope
from bot.web.console.auth import db_url, login_required
from bot.web.console.csrf import check_csrf

bp = Blueprint("console_questions", __name__, url_prefix="/console/questions")
bp.before_request(check_csrf)
PAGE = 100


@bp.get("")
@login_required("educator", "admin")
def index() -> str:
    """The latest questions, newest first."""
    with session_scope(db_url()) as db:
        query = select(QaLog).order_by(QaLog.created_at.desc()).limit(PAGE)
        rows = [
            {
                "at": q.created_at,
                "question": q.question_masked,
                "kind": q.kind,
                "topic": q.topic or "",
                "audience": q.audience,
                "confidence": q.confidence,
                "channel": q.channel,
            }
            for q in db.execute(query).scalars()
        ]
    return render_template("console/questions.html", rows=rows)
