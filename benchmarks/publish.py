"""Content going live: an action server started on a copy of the project (its cold start timed), an entry's answer
edited and published (`bot knowledge publish` timed), and the time until the running server answers with it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bot.db.migrate import upgrade
from bot.knowledge.entries import load_entries
from bot.ops.runner import free_port, wait_until_up
from bot.settings import child_env, get_settings

DEADLINE = 60.0


def _call(question: str) -> dict[str, Any]:
    """An action call for action_answer_legal, as Rasa sends it."""
    latest = {"text": question, "intent": {"name": "ask_legal", "confidence": 1.0}, "entities": []}
    user = {
        "event": "user",
        "text": question,
        "parse_data": latest,
        "input_channel": "rest",
        "timestamp": 1.0,
    }
    tracker = {
        "sender_id": "bench",
        "slots": {},
        "latest_message": latest,
        "events": [user],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    return {"next_action": "action_answer_legal", "sender_id": "bench", "tracker": tracker, "domain": {}}


def _answer(webhook: str, question: str) -> str:
    reply = requests.post(webhook, json=_call(question), timeout=30)
    reply.raise_for_status()
    return str(reply.json()["responses"][0].get("answer", ""))


def main() -> None:
    root = get_settings().project_root
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        shutil.copytree(root / "knowledge", project / "knowledge")
        url = f"sqlite:///{project / 'app.db'}"
        upgrade(url)
        env = child_env(PROJECT_ROOT=str(project), DATABASE_URL=url, KNOWLEDGE_SOURCE="published")
        port = free_port()
        command = [sys.executable, "-m", "bot.ops.action_server", "--actions", "actions", "-p", str(port)]
        started = time.monotonic()
        server = subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        try:
            if not wait_until_up(f"http://127.0.0.1:{port}/health", server, started + DEADLINE, poll=0.1):
                print("publish: the action server did not start")
                return
            cold = time.monotonic() - started
            webhook = f"http://127.0.0.1:{port}/webhook"
            entry = load_entries(project / "knowledge" / "qa", only="labor.yml")[0]
            path = project / "knowledge" / "qa" / "labor.yml"
            edited = entry.answer + "（已更新）"
            path.write_text(
                path.read_text(encoding="utf-8").replace(entry.answer, edited, 1), encoding="utf-8"
            )
            started = time.monotonic()
            publish = [sys.executable, "-m", "bot", "knowledge", "publish"]
            subprocess.run(publish, cwd=root, env=env, check=True, capture_output=True)
            published = time.monotonic() - started
            while _answer(webhook, entry.question) != edited and time.monotonic() - started < DEADLINE:
                time.sleep(0.05)
            live = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"publish: action server cold start to /health {cold:.1f} s (knowledge published at start); "
        f"an edited answer published in {published:.1f} s (the command, Python start included), "
        f"answered by the running server {live:.1f} s after the command started"
    )


if __name__ == "__main__":
    main()
