"""The educators' Q&A log: what was asked (personal data masked) and how the assistant handled it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.db.models import QaLog
from bot.privacy import mask_text

MAX_LOGGED_CHARS = 500


def log_question(
    session: Session,
    *,
    question: str,
    kind: str,
    audience: str | None,
    channel: str | None,
    topic: str | None = None,
    kb_id: str | None = None,
    confidence: float | None = None,
) -> QaLog:
    """Record one handled question; the text is masked before it is stored."""
    row = QaLog(
        question_masked=mask_text(question)[:MAX_LOGGED_CHARS],
        kind=kind,
        audience=audience or "general",
        channel=(channel or "web")[:20],
        topic=topic,
        kb_id=kb_id,
        confidence=confidence,
    )
    session.add(row)
    session.flush()
    return row
