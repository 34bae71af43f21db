"""The REST channel's input check: every body gets a defined answer, and a good one is passed on cleaned."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.rest_guard import refusal
from bot.textinput import is_blank

LIMIT = 1000


def _body(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def test_bodies_that_are_not_a_message_are_refused_with_their_reason() -> None:
    cases = {
        b"{": "bad_request",
        b"[1, 2]": "bad_request",
        b"5": "bad_request",
        b'{"sender": "a", "message": "\xff\xfe"}': "bad_request",
        b"[" * 50_000: "bad_request",
        _body({"sender": "a"}): "bad_request",
        _body({"sender": "a", "message": 5}): "bad_request",
        _body({"sender": "a", "message": ["x"]}): "bad_request",
        _body({"sender": {"a": 1}, "message": "hi"}): "bad_sender",
        _body({"sender": "a b", "message": "hi"}): "bad_sender",
        _body({"sender": "a", "message": ""}): "empty_message",
        _body({"sender": "a", "message": " \n\u200b\x00 "}): "empty_message",
        _body({"sender": "a", "message": "法" * 10_000}): "too_long",
        b" " * 70_000: "too_long",
    }
    for body, key in cases.items():
        status, error, cleaned = refusal(body, LIMIT)
        assert (error, cleaned is None) == (key, True), body[:40]
        assert status in (400, 413)


def test_a_message_is_passed_on_cleaned_with_everything_else() -> None:
    status, error, cleaned = refusal(
        _body({"sender": "a1", "message": "\x00你好\u202e <script>", "metadata": {"channel": "web"}}), LIMIT
    )
    assert (status, error) == (0, "")
    assert cleaned == {"sender": "a1", "message": "你好 <script>", "metadata": {"channel": "web"}}


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8"))))
def test_any_bytes_get_a_defined_answer(body: bytes) -> None:
    status, error, cleaned = refusal(body, LIMIT)
    assert status in (0, 400, 413)
    assert (status == 0) == (cleaned is not None) == (error == "")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=1200))
def test_any_text_is_refused_or_passed_on_non_empty(text: str) -> None:
    status, _error, cleaned = refusal(_body({"sender": "s1", "message": text}), LIMIT)
    if status == 0:
        assert cleaned is not None and not is_blank(cleaned["message"]) and len(cleaned["message"]) <= LIMIT
