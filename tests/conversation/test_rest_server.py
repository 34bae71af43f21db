"""One conversation through the real REST endpoint of a started Rasa server (with the action-timeout launcher)."""

import sqlite3
import uuid
from pathlib import Path

import pytest
import requests

pytestmark = [pytest.mark.model, pytest.mark.server]


def test_rest_webhook_answers_in_chinese(rasa_server: str) -> None:
    reply = requests.post(
        f"{rasa_server}/webhooks/rest/webhook",
        json={"sender": uuid.uuid4().hex, "message": "你好"},
        timeout=30,
    )
    assert reply.status_code == 200
    texts = [m["text"] for m in reply.json() if "text" in m]
    assert texts and any("\u4e00" <= ch <= "\u9fff" for ch in texts[0])


def test_rest_answer_carries_the_payload(rasa_server: str) -> None:
    reply = requests.post(
        f"{rasa_server}/webhooks/rest/webhook",
        json={"sender": uuid.uuid4().hex, "message": "子女不给赡养费怎么办"},
        timeout=30,
    )
    customs = [m["custom"] for m in reply.json() if "custom" in m]
    assert customs and customs[0]["kind"] == "answer" and customs[0]["citations"]


def test_only_the_channels_in_use_are_open(rasa_server: str) -> None:
    """No socket.io channel (it would bypass the web app's input checks) and no CORS for any origin."""
    assert requests.get(f"{rasa_server}/socket.io/?EIO=4&transport=polling", timeout=10).status_code == 404
    preflight = requests.options(
        f"{rasa_server}/webhooks/rest/webhook",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_conversations_are_kept_in_the_tracker_store(rasa_server: str, tracker_db: Path) -> None:
    """endpoints.yml's SQL tracker store: the conversation is on disk, not only in Rasa's memory."""
    sender = uuid.uuid4().hex
    requests.post(
        f"{rasa_server}/webhooks/rest/webhook", json={"sender": sender, "message": "你好"}, timeout=30
    )
    with sqlite3.connect(tracker_db) as connection:
        rows = connection.execute("SELECT type_name FROM events WHERE sender_id = ?", (sender,)).fetchall()
    assert ("user",) in rows and ("bot",) in rows


def test_hostile_bodies_get_a_defined_answer_and_the_server_stays_up(rasa_server: str) -> None:
    url = f"{rasa_server}/webhooks/rest/webhook"
    raw = {b"{": 400, b"[1, 2]": 400, b"5": 400, b'{"sender":"h1","message":"\xff"}': 400}
    for body, status in raw.items():
        reply = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
        assert reply.status_code == status and reply.json()["error"] == "bad_request", body
    refused = {
        "": "empty_message",
        " \u200b ": "empty_message",
        "法" * 10_000: "too_long",
    }
    for message, key in refused.items():
        reply = requests.post(url, json={"sender": "h1", "message": message}, timeout=30)
        assert reply.json()["error"] == key and reply.json()["messages"][0]["text"], key
    for message in (
        "😀😀😀",
        "<script>alert(1)</script>",
        "'; DROP TABLE referrals; --",
        "\x00\x07你好\x1b[31m",
    ):
        reply = requests.post(url, json={"sender": "h1", "message": message}, timeout=60)
        assert reply.status_code == 200 and reply.json()[0]["text"], message  # an answer in Chinese
    assert requests.get(f"{rasa_server}/", timeout=10).status_code == 200
