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
