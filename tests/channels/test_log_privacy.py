"""Rasa's own log lines, configured as our launcher configures them, carry no text a citizen typed: neither in the
fields Rasa logs nor in a traceback's local variables."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import structlog

from bot.channels import log_privacy
from tests.pii_scan import findings

TYPED = "我是王阿姨，电话13800138000，身份证44180219800101123X"


@pytest.fixture
def rasa_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import rasa.__main__ as rasa_main

    monkeypatch.setenv("FORCE_JSON_LOGGING", "1")
    monkeypatch.setattr(rasa_main, "configure_structlog", rasa_main.configure_structlog)
    log_privacy.install()
    rasa_main.configure_structlog(logging.INFO)
    yield
    structlog.reset_defaults()


def _fail_with(text: str) -> None:
    local_copy = text  # noqa: F841 (a local that a traceback with locals would print)
    raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_failed_message_is_logged_without_what_was_typed(
    rasa_logging: None, caplog: pytest.LogCaptureFixture
) -> None:
    logger = structlog.get_logger("rasa.core.channels.rest")
    with caplog.at_level(logging.INFO):
        try:
            _fail_with(TYPED)
        except ConnectionError:
            logger.exception("rest.message.received.failure", text=TYPED, sender_id="wx-openid")
        logger.info("processor.slots.set", slot_values={"phone": "13800138000"}, user_text=TYPED)
    lines = [record.getMessage() for record in caplog.records]
    assert any("rest.message.received.failure" in line and "ConnectionError" in line for line in lines)
    assert findings(lines) == []
    assert not any("13800138000" in line or "\\u738b" in line for line in lines)


def test_the_redaction_keeps_the_shape_of_a_field() -> None:
    event = log_privacy.redact(None, "info", {"event": "x", "text": "abc", "user_message": ["a", "b"]})
    assert event == {"event": "x", "text": "<redacted, 3 long>", "user_message": "<redacted, 2 long>"}
