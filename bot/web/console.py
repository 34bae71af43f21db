"""The staff console: login, the referral list (mediators: own organization), masked questions; POSTs need CSRF."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import select

from bot.db.models import QaLog, Referral
from bot.db.session import session_scope
from bot.privacy import PiiCipher, mask_phone
from bot.users import authenticate
from bot.web.csrf import check_csrf, csrf_token

bp = Blueprint("console", __name__, url_prefix="/console")
bp.before_request(check_csrf)
PAGE = 100


@bp.app_context_processor
def template_helpers() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "status_labels": current_app.config["MESSAGES"]["status_labels"]}


def _db_url() -> str:
    return str(current_app.config["SETTINGS"].db_url)


def login_required(*roles: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if "user_id" not in session:
                return redirect(url_for("console.login", next=request.path))
            if roles and session.get("role") not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        with session_scope(_db_url()) as db:
            user = authenticate(db, request.form.get("username", ""), request.form.get("password", ""))
            if user is not None:
                session.clear()
                session.update(user_id=user.id, role=user.role, org_id=user.org_id, username=user.username)
                return redirect(url_for("console.home"))
        error = current_app.config["MESSAGES"]["login_failed"]
    return render_template("console/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout() -> Any:
    session.clear()
    return redirect(url_for("console.login"))


@bp.get("")
@login_required()
def home() -> Any:
    target = "console.questions" if session.get("role") == "educator" else "console.referrals"
    return redirect(url_for(target))


@bp.get("/referrals")
@login_required("mediator", "admin")
def referrals() -> str:
    """Mediators: their organization's referrals with contact details; admins: all, with contacts masked."""
    cipher = PiiCipher(current_app.config["SETTINGS"].secret_key)
    with session_scope(_db_url()) as db:
        query = select(Referral).order_by(Referral.created_at.desc()).limit(PAGE)
        own = session.get("role") == "mediator"
        if own:
            query = query.where(Referral.org_id == session.get("org_id"))
        rows = []
        for r in db.execute(query).scalars():
            phone = cipher.decrypt(r.phone_enc)
            name = cipher.decrypt(r.applicant_name_enc)
            rows.append(
                {
                    "reference": r.reference,
                    "org": r.organization.name,
                    "dispute_type": r.dispute_type,
                    "place": r.place_text,
                    "status": r.status,
                    "created_at": r.created_at,
                    "phone": phone if own else mask_phone(phone),
                    "name": name if own else (name[:1] + "*" if name else ""),
                }
            )
    return render_template("console/referrals.html", rows=rows, own=own)


@bp.get("/questions")
@login_required("educator", "admin")
def questions() -> str:
    """What people asked, already masked when it was logged."""
    with session_scope(_db_url()) as db:
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
