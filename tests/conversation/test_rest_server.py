"""One conversation through the real REST endpoint of a started Rasa server (with the action-timeout launcher)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from bot.settings import OFFLINE_ENV
from tests.conftest import ROOT, free_port, wait_for

pytestmark = [pytest.mark.model, pytest.mark.server]


@pytest.fixture(scope="module")
def rasa_server(trained_model: Path, action_server: str):
    port = free_port()
    env = {**os.environ, **OFFLINE_ENV, "ACTION_SERVER_URL": action_server, "ACTION_TIMEOUT_SECONDS": "5"}
    command = [sys.executable, "-m", "bot.channels.server", "run", "-m", str(trained_model), "-p", str(port)]
    command += ["-i", "127.0.0.1", "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


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
