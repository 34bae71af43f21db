"""Helpers shared by the actions: reading the tracker, and logging for the educators without failing the reply."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker

from bot.db.session import session_scope
from bot.legal.question_log import log_question

logger = logging.getLogger(__name__)


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def latest_entity(tracker: Tracker, name: str) -> Any:
    return next(tracker.get_latest_entity_values(name), None)


def intent_of(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def log_safely(tracker: Tracker, **fields: Any) -> None:
    """Write one Q&A log row; a logging failure never blocks the citizen's answer (and never logs the text)."""
    try:
        with session_scope() as session:
            log_question(session, question=latest_text(tracker), channel=channel_of(tracker), **fields)
    except Exception as error:
        logger.error("qa log write failed: %s", type(error).__name__)
