"""One conversation through the real REST endpoint of a started Rasa server (with the action-timeout launcher)."""

import uuid

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
