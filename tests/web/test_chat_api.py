"""/api/chat refuses bad input with a clear Chinese reply and forwards good input to Rasa."""

from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from tests.web.conftest import FakeResponse

SENDER = "a1b2c3d4e5f6a7b8"


def test_page_is_served_locally(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "清远普法调解助手" in page
    assert "http://" not in page and "https://" not in page  # no CDN or remote asset
    assert client.get("/static/chat.js").status_code == 200
    assert "default-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_message_is_forwarded(client: FlaskClient, rasa_calls: list[dict]) -> None:
    reply = client.post("/api/chat", json={"sender": SENDER, "message": " 你好 "})
    assert reply.status_code == 200
    assert reply.get_json() == {"messages": [{"recipient_id": SENDER, "text": "您好"}]}
    assert rasa_calls[0]["json"]["message"] == "你好"
    assert rasa_calls[0]["url"].endswith("/webhooks/rest/webhook")


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"sender": SENDER, "message": ""}, 400, "empty_message"),
        ({"sender": SENDER, "message": "   "}, 400, "empty_message"),
        ({"sender": SENDER, "message": "长" * 1001}, 413, "too_long"),
        ({"sender": "13800138000; DROP", "message": "你好"}, 400, "bad_sender"),
        ({"message": "你好"}, 400, "bad_sender"),
        ("not json", 400, "bad_request"),
    ],
)
def test_bad_input_gets_a_chinese_reply_and_is_not_forwarded(
    client: FlaskClient, rasa_calls: list[dict], body: Any, status: int, error: str
) -> None:
    reply = client.post("/api/chat", json=body)
    assert reply.status_code == status
    data = reply.get_json()
    assert data["error"] == error
    assert any("\u4e00" <= ch <= "\u9fff" for ch in data["messages"][0]["text"])
    assert rasa_calls == []


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "'; DROP TABLE referrals; --", "😀😀😀"])
def test_odd_text_is_passed_as_plain_text(client: FlaskClient, rasa_calls: list[dict], text: str) -> None:
    assert client.post("/api/chat", json={"sender": SENDER, "message": text}).status_code == 200
    assert rasa_calls[0]["json"]["message"] == text


def test_rasa_down_gives_a_clear_reply(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: Any, **kwargs: Any) -> None:
        raise requests.ConnectionError("refused")

    monkeypatch.setattr("bot.web.chat.requests.post", down)
    reply = client.post("/api/chat", json={"sender": SENDER, "message": "你好"})
    assert reply.status_code == 502
    assert "110" in reply.get_json()["messages"][0]["text"]


def test_a_retried_message_id_reaches_rasa_once(client: FlaskClient, rasa_calls: list[dict]) -> None:
    body = {"sender": SENDER, "message": "你好", "id": "m1a2b3c4d5e6f7a8"}
    first = client.post("/api/chat", json=body)
    again = client.post("/api/chat", json=body)
    assert first.get_json() == again.get_json() == {"messages": [{"recipient_id": SENDER, "text": "您好"}]}
    assert len(rasa_calls) == 1
    client.post("/api/chat", json={**body, "id": "n1a2b3c4d5e6f7a8"})
    assert len(rasa_calls) == 2  # a new message is a new id


def test_a_failed_delivery_is_tried_again(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def flaky(url: str, json: dict, timeout: float) -> FakeResponse:
        calls.append(1)
        if len(calls) == 1:
            raise requests.ConnectionError("rasa restarting")
        return FakeResponse([{"text": "您好"}])

    monkeypatch.setattr("bot.web.chat.requests.post", flaky)
    body = {"sender": SENDER, "message": "你好", "id": "f1a2b3c4d5e6f7a8"}
    assert client.post("/api/chat", json=body).status_code == 502
    assert client.post("/api/chat", json=body).get_json() == {"messages": [{"text": "您好"}]}
    assert len(calls) == 2


def test_a_malformed_message_id_is_refused(client: FlaskClient, rasa_calls: list[dict]) -> None:
    reply = client.post("/api/chat", json={"sender": SENDER, "message": "你好", "id": "<script>"})
    assert reply.status_code == 400 and not rasa_calls
