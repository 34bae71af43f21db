"""An educator edits an entry's answer and publishes it: a running action server answers with the new text within
seconds, with no retraining; a broken edit is refused and the server keeps answering with the last good one."""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.db.migrate import upgrade
from bot.knowledge.entries import load_entries
from bot.settings import OFFLINE_ENV
from tests.actions.helpers import tracker
from tests.conftest import free_port, serving
from tests.paths import KNOWLEDGE, ROOT

PUBLISH_DEADLINE = (
    10.0  # seconds from `bot knowledge publish` returning to the server answering with the edit
)


@pytest.fixture
def project(tmp_path: Path) -> dict[str, str]:
    """A project root of its own (knowledge copy, var/, database), for the server and the publish command."""
    shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    return {
        **os.environ,
        **OFFLINE_ENV,
        "PROJECT_ROOT": str(tmp_path),
        "DATABASE_URL": url,
        "KNOWLEDGE_SOURCE": "published",
        "KNOWLEDGE_POLL_SECONDS": "0.2",
    }


@pytest.fixture
def server(project: dict[str, str]) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "bot.ops.action_server", "--actions", "actions", "-p", str(port)]
    with serving(command, project, f"http://127.0.0.1:{port}/health"):
        yield f"http://127.0.0.1:{port}/webhook"


def _answer(webhook: str, question: str) -> str:
    call = {
        "next_action": "action_answer_legal",
        "sender_id": "publisher",
        "tracker": tracker(question).current_state(),
        "domain": {},
    }
    reply = requests.post(webhook, json=call, timeout=10)
    reply.raise_for_status()
    return str(reply.json()["responses"][0]["answer"])


def _publish(env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "bot", "knowledge", "publish"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_an_edited_answer_reaches_the_running_server_without_retraining(
    project: dict[str, str], server: str
) -> None:
    folder = Path(project["PROJECT_ROOT"]) / "knowledge" / "qa"
    entry = load_entries(folder, only="labor.yml")[0]
    assert _answer(server, entry.question) == entry.answer

    path = folder / "labor.yml"
    text = path.read_text(encoding="utf-8")
    edited = entry.answer + "（本答复已由普法工作人员更新。）"
    path.write_text(text.replace(entry.answer, edited, 1), encoding="utf-8")
    published = _publish(project)
    assert published.returncode == 0, published.stdout + published.stderr
    deadline = time.monotonic() + PUBLISH_DEADLINE
    while _answer(server, entry.question) != edited:
        assert time.monotonic() < deadline, "the running server never answered with the published edit"
        time.sleep(0.2)

    # A broken edit (a citation of an article that does not exist) is refused; the server keeps the good one.
    path.write_text(
        path.read_text(encoding="utf-8").replace("article: 第", "article: 第九千", 1), encoding="utf-8"
    )
    refused = _publish(project)
    assert refused.returncode == 1
    assert "qa/labor.yml:" in refused.stdout and "does not exist" in refused.stdout
    time.sleep(1.0)  # five polls
    assert _answer(server, entry.question) == edited


def test_a_starting_server_publishes_in_a_child_and_hears_its_refusal(
    project: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check and the build run in a child process (their memory is not the server's); a refusal comes back
    with every problem, as `bot knowledge publish` prints them."""
    from bot.knowledge.releases import PublishRefused
    from bot.ops.publishing import publish_in_child

    for name in ("PROJECT_ROOT", "DATABASE_URL", "KNOWLEDGE_SOURCE"):
        monkeypatch.setenv(name, project[name])
    path = Path(project["PROJECT_ROOT"]) / "knowledge" / "qa" / "labor.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("article: 第", "article: 第九千", 1), encoding="utf-8"
    )
    with pytest.raises(PublishRefused) as refused:
        publish_in_child()
    assert any(p.startswith("qa/labor.yml:") and "does not exist" in p for p in refused.value.problems)
