"""Helpers shared by the actions: reading the tracker, and logging for the educators off the reply's path."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from bot.db.session import session_scope
from bot.legal.question_log import log_question
from bot.settings import get_settings

logger = logging.getLogger(__name__)


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def latest_entity(tracker: Tracker, name: str) -> Any:
    return next(tracker.get_latest_entity_values(name), None)


def intent_of(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


@lru_cache(maxsize=1)
def _log_writer() -> ThreadPoolExecutor:
    """One thread writes the educators' log, in order, while replies go out (created on first use)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-log")


_pending: set[Future] = set()


def log_safely(tracker: Tracker, **fields: Any) -> None:
    """Queue one Q&A log row; the reply never waits for it, and a failure is logged without the text."""
    question, channel, url = latest_text(tracker), channel_of(tracker), get_settings().db_url
    future = _log_writer().submit(_write_log, url, question, channel, fields)
    _pending.add(future)
    future.add_done_callback(_pending.discard)


def _write_log(url: str, question: str, channel: str, fields: dict[str, Any]) -> None:
    try:
        with session_scope(url) as session:
            log_question(session, question=question, channel=channel, **fields)
    except Exception as error:
        logger.error("qa log write failed: %s", type(error).__name__)


def flush_log(timeout: float = 10.0) -> None:
    """Wait until the queued log rows are written (tests, and a server stopping)."""
    wait(list(_pending), timeout=timeout)
