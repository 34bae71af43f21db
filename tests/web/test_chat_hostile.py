"""Hostile input on /api/chat: every body, shape, encoding and size gets a defined answer (a 4xx with a Chinese
message, or the bot's reply to cleaned text), never a crash, and nothing refused reaches Rasa or the database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.db.models import QaLog, Referral
from bot.db.session import session_scope
from tests.web.conftest import FakeResponse, make_app

SENDER = "a1b2c3d4e5f6a7b8"
ERROR_STATUSES = {400, 405, 413, 415}


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def assert_refused(reply: Any, status: int, error: str) -> None:
    assert reply.status_code == status, reply.get_data(as_text=True)
    data = reply.get_json()
    assert data["error"] == error and has_chinese(data["messages"][0]["text"])


@pytest.mark.parametrize(
    ("data", "content_type", "status", "error"),
    [
        ('{"sender": "a1b2c3d4e5f6a7b8", "message": "你好"}', "text/plain", 415, "bad_request"),
        ("sender=a1b2c3d4e5f6a7b8&message=hi", "application/x-www-form-urlencoded", 415, "bad_request"),
        (
            b'{"sender": "a1b2c3d4e5f6a7b8", "message": "\xff\xfe\xc3"}',
            "application/json",
            400,
            "bad_request",
        ),
        ('{"sender": "a1b2c3d4e5f6a7b8", "message": "你好"', "application/json", 400, "bad_request"),
        ("", "application/json", 400, "bad_request"),
        ("null", "application/json", 400, "bad_request"),
        (
            '{"sender": "a1b2c3d4e5f6a7b8", "message": "\\ud800 \\u0000"}',
            "application/json",
            400,
            "empty_message",
        ),
        ("[" * 60_000, "application/json", 400, "bad_request"),  # deeper than Python's JSON parser goes
        ('{"a":' * 10_000 + "1" + "}" * 10_000, "application/json", 400, "bad_request"),
        ("x" * 70_000, "application/json", 413, "too_long"),  # beyond MAX_CONTENT_LENGTH
    ],
)
def test_bodies_that_are_not_a_json_object(
    client: FlaskClient, rasa_calls: list, data: Any, content_type: str, status: int, error: str
) -> None:
    assert_refused(client.post("/api/chat", data=data, content_type=content_type), status, error)
    assert rasa_calls == []


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ([{"sender": SENDER, "message": "你好"}], 400, "bad_request"),
        (42, 400, "bad_request"),
        ({"sender": SENDER, "message": {"text": "你好"}}, 400, "bad_request"),
        ({"sender": SENDER, "message": ["你好"]}, 400, "bad_request"),
        ({"sender": SENDER, "message": 110}, 400, "bad_request"),
        ({"sender": SENDER, "message": True}, 400, "bad_request"),
        ({"sender": SENDER, "message": "你好", "id": 12345678}, 400, "bad_request"),
        ({"sender": 1234567890, "message": "你好"}, 400, "bad_sender"),
        ({"sender": [SENDER], "message": "你好"}, 400, "bad_sender"),
        ({"sender": SENDER + "\n", "message": "你好"}, 400, "bad_sender"),
        ({"sender": "a" * 65, "message": "你好"}, 400, "bad_sender"),
        ({"sender": SENDER, "message": None}, 400, "empty_message"),
        ({"sender": SENDER}, 400, "empty_message"),
        ({"sender": SENDER, "message": "\x00\x01\x7f \u202e\t"}, 400, "empty_message"),
        ({"sender": SENDER, "message": "长" * 10_000}, 413, "too_long"),
    ],
)
def test_json_of_the_wrong_shape(
    client: FlaskClient, rasa_calls: list, body: Any, status: int, error: str
) -> None:
    assert_refused(client.post("/api/chat", json=body), status, error)
    assert rasa_calls == []


@pytest.mark.parametrize(
    ("message", "forwarded"),
    [
        ("😀🙏👍", "😀🙏👍"),
        ("\x00我\x1b被\u202e欠薪\x07", "我被欠薪"),
        ("第一行\r\n第二行", "第一行\n第二行"),
        ('<img src=x onerror="alert(1)">', '<img src=x onerror="alert(1)">'),
        ("1' OR '1'='1", "1' OR '1'='1"),
    ],
)
def test_odd_but_readable_text_is_forwarded_clean(
    client: FlaskClient, rasa_calls: list, message: str, forwarded: str
) -> None:
    reply = client.post("/api/chat", json={"sender": SENDER, "message": message, "extra": {"nested": [1]}})
    assert reply.status_code == 200
    assert [c["json"]["message"] for c in rasa_calls] == [forwarded]


def test_a_lone_surrogate_in_json_is_dropped(client: FlaskClient, rasa_calls: list) -> None:
    body = '{"sender": "' + SENDER + '", "message": "\\ud800调解"}'
    assert client.post("/api/chat", data=body, content_type="application/json").status_code == 200
    assert rasa_calls[0]["json"]["message"] == "调解"
    json.dumps(rasa_calls[0]["json"]).encode("utf-8")


def test_other_methods_get_the_json_error_shape(client: FlaskClient) -> None:
    assert_refused(client.get("/api/chat"), 405, "bad_request")
    assert_refused(client.put("/api/chat", json={}), 405, "bad_request")
    assert client.get("/console/nowhere").status_code == 404  # outside /api/ errors are left as they were


def test_rasa_answering_garbage_is_not_passed_on(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([FakeResponse({"not": "a list"}), FakeResponse(["text", 3, {"text": "好"}])])
    monkeypatch.setattr("bot.web.chat.requests.post", lambda *a, **k: next(answers))
    assert client.post("/api/chat", json={"sender": SENDER, "message": "你好"}).get_json() == {"messages": []}
    assert client.post("/api/chat", json={"sender": SENDER, "message": "你好"}).get_json() == {
        "messages": [{"text": "好"}]
    }


def test_refused_input_writes_nothing(client: FlaskClient, rasa_calls: list, directory_db: str) -> None:
    for body in ({"sender": SENDER, "message": ""}, {"sender": "x", "message": "我要申请调解"}, [1, 2]):
        assert client.post("/api/chat", json=body).status_code == 400
    with session_scope(directory_db) as db:
        assert db.scalar(select(func.count()).select_from(Referral)) == 0
        assert db.scalar(select(func.count()).select_from(QaLog)) == 0
    assert rasa_calls == []


# Property-based: whatever arrives, the answer is 200 with the bot's reply or a 4xx in the documented shape.

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
SENDERS = st.sampled_from([SENDER, "x", "", "a1b2c3d4e5f6a7b8\n"]) | st.text(max_size=70) | JSON
MESSAGES = st.text(max_size=1200) | st.text(alphabet="长😀\x00\u202e \n", max_size=1100) | JSON
BODIES = st.fixed_dictionaries(
    {"sender": SENDERS, "message": MESSAGES},
    optional={"id": st.sampled_from(["m1a2b3c4d5e6f7a8", "<script>"]) | JSON, "extra": JSON},
)


@pytest.fixture
def open_app(db_url: str) -> Flask:
    """The web app with rate limits off (hypothesis sends hundreds of messages from one sender)."""
    return make_app(chat_limit_per_ip=0, chat_limit_per_sender=0)


def check_answer(reply: Any, calls: list[dict], limit: int) -> None:
    assert reply.status_code == 200 or reply.status_code in ERROR_STATUSES, reply.status_code
    data = reply.get_json()
    if reply.status_code == 200:
        assert data == {"messages": [{"text": "您好"}]}
        (call,) = calls
        text = call["json"]["message"]
        assert text and text == text.strip() and len(text) <= limit and "\x00" not in text
        text.encode("utf-8")
    else:
        assert set(data) == {"error", "messages"} and has_chinese(data["messages"][0]["text"])
        assert calls == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES | JSON)
def test_any_json_gets_a_defined_answer(open_app: Flask, monkeypatch: pytest.MonkeyPatch, body: Any) -> None:
    calls: list[dict] = []
    monkeypatch.setattr("bot.web.chat.requests.post", lambda url, json, timeout: _record(calls, json))
    open_app.extensions.pop(
        "qybot_replies", None
    )  # the app outlives each example: no reply cached by another
    reply = open_app.test_client().post("/api/chat", json=body)
    check_answer(reply, calls, open_app.config["SETTINGS"].max_message_chars)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=2048) | st.text().map(lambda t: t.encode("utf-8", "surrogatepass")),
    content_type=st.sampled_from(["application/json", "text/plain", "application/json; charset=utf-8", ""]),
)
def test_any_bytes_get_a_defined_answer(
    open_app: Flask, monkeypatch: pytest.MonkeyPatch, data: bytes, content_type: str
) -> None:
    calls: list[dict] = []
    monkeypatch.setattr("bot.web.chat.requests.post", lambda url, json, timeout: _record(calls, json))
    open_app.extensions.pop("qybot_replies", None)
    reply = open_app.test_client().post("/api/chat", data=data, content_type=content_type)
    check_answer(reply, calls, open_app.config["SETTINGS"].max_message_chars)


def _record(calls: list[dict], body: dict) -> Any:
    calls.append({"json": body})
    return FakeResponse([{"text": "您好"}])
