"""Nothing lost, over the REST channel: a Rasa restart mid-intake resumes at the same question; an action server
that dies mid-intake gets a "try again" reply and the same answer completes the intake after its restart; a database
that is locked at the moment of submission gets a clear reply, and the retry stores exactly one referral."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import services
from bot.db.models import Referral
from bot.db.session import session_scope
from bot.settings import OFFLINE_ENV
from tests.conftest import ACTION_SECRET, free_port, log_file, rasa_command, rasa_env, wait_for
from tests.conversation.test_rest_intake import Chat, asked, payload
from tests.paths import ROOT

pytestmark = [pytest.mark.model, pytest.mark.server]
PLACE = "清城区凤城街道高基里社区"


class Process:
    """A server process that a test may kill and start again on the same port."""

    def __init__(self, command: list[str], env: dict[str, str], health: str):
        self.command, self.env, self.health = command, env, health
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(log_file(self.command), "ab") as log:  # searched for personal data at the end of the run
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_for(self.health, self.process)

    def kill(self) -> None:
        """SIGKILL: no goodbye, as in a crash or an out-of-memory kill."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Stack:
    def __init__(self, db_url: str, actions: Process, rasa: Process, rasa_url: str):
        self.db_url, self.actions, self.rasa, self.rasa_url = db_url, actions, rasa, rasa_url

    def referrals_of(self, reference: str) -> int:
        with session_scope(self.db_url) as s:
            query = select(func.count()).select_from(Referral).where(Referral.reference == reference)
            return int(s.execute(query).scalar_one())

    def referral_count(self) -> int:
        with session_scope(self.db_url) as s:
            return int(s.execute(select(func.count()).select_from(Referral)).scalar_one())


@pytest.fixture(scope="module")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Its own database, tracker store, action server and Rasa, so that killing them disturbs no other test."""
    from bot.db.migrate import upgrade
    from bot.mediation.directory import import_directory

    folder = tmp_path_factory.mktemp("durable")
    db_url = f"sqlite:///{folder / 'app.db'}"
    upgrade(db_url)
    with session_scope(db_url) as session:
        import_directory(session, services.catalog().directory_rows)
    action_port, rasa_port = free_port(), free_port()
    action_env = {**os.environ, **OFFLINE_ENV, "DATABASE_URL": db_url, "KNOWLEDGE_SOURCE": "folder"}
    action_env["ACTION_SECRET"] = ACTION_SECRET
    command = [sys.executable, "-m", "bot.ops.action_server", "--actions", "actions", "-p", str(action_port)]
    actions = Process(command, action_env, f"http://127.0.0.1:{action_port}/health")
    webhook = f"http://127.0.0.1:{action_port}/webhook"
    env = rasa_env(webhook, f"sqlite:///{folder / 'tracker.db'}")
    rasa = Process(rasa_command(trained_model, rasa_port), env, f"http://127.0.0.1:{rasa_port}/")
    actions.start()
    rasa.start()
    try:
        yield Stack(db_url, actions, rasa, f"http://127.0.0.1:{rasa_port}")
    finally:
        rasa.stop()
        actions.stop()


ORDER = ["dispute_type", "location", "counterparty", "description", "court_or_police", "consent"]
ORDER += ["applicant_name", "phone", "confirm"]
ANSWERS = {  # typed as people type
    "dispute_type": "邻居纠纷",
    "location": PLACE,
    "counterparty": "楼上邻居",
    "description": "楼上漏水三个月了，一直不肯修，也不肯赔",
    "court_or_police": "没有",
    "consent": "同意",
    "applicant_name": "王阿姨",
    "phone": "139 2222 4444",
}


def start_intake(chat: Chat) -> str:
    """Asks for mediation and names the dispute; returns the question asked next."""
    assert asked(chat.say("我想申请调解")) == "dispute_type"
    return asked(chat.say(ANSWERS["dispute_type"]))


def answer(chat: Chat, slot: str) -> str:
    """Answers the question about ``slot``; returns the question asked next, which must come later in the form."""
    following = asked(chat.say(ANSWERS[slot]))
    assert ORDER.index(following) > ORDER.index(slot), (slot, following)
    return following


def answer_until_confirmation(chat: Chat, slot: str) -> None:
    while slot != "confirm":
        slot = answer(chat, slot)


def test_a_rasa_restart_mid_intake_resumes_at_the_same_question(stack: Stack) -> None:
    chat = Chat(stack.rasa_url)
    slot = answer(chat, start_intake(chat))
    stack.rasa.kill()
    stack.rasa.start()
    answer_until_confirmation(chat, slot)  # the next answer is taken as the answer to the same question
    created = payload(chat.say("对"), "referral_created")
    assert stack.referrals_of(created["reference"]) == 1


def test_an_action_server_crash_mid_intake_asks_to_try_again_and_loses_nothing(stack: Stack) -> None:
    chat = Chat(stack.rasa_url)
    slot = start_intake(chat)
    before = stack.referral_count()
    stack.actions.kill()
    try:
        started = time.monotonic()
        reply = chat.say(ANSWERS[slot])
        assert time.monotonic() - started < 10  # within the action timeout
        assert payload(reply, "fallback") is not None
        assert "稍后再试" in reply[0]["text"]
    finally:
        stack.actions.start()
    answer_until_confirmation(chat, slot)  # the same answer again continues where the intake stopped
    created = payload(chat.say("确认"), "referral_created")
    assert stack.referrals_of(created["reference"]) == 1
    assert stack.referral_count() == before + 1


def test_a_locked_database_at_submission_keeps_the_answers_and_the_retry_stores_one(stack: Stack) -> None:
    chat = Chat(stack.rasa_url)
    answer_until_confirmation(chat, start_intake(chat))
    before = stack.referral_count()
    holder = sqlite3.connect(stack.db_url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database past the action server's wait
    try:
        reply = chat.say("对")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert any("没能提交" in (m.get("text") or "") for m in reply), reply
    assert asked(reply) == "confirm"  # the answers are kept: only the confirmation is asked again
    assert stack.referral_count() == before
    created = payload(chat.say("确认"), "referral_created")
    assert stack.referrals_of(created["reference"]) == 1
    assert stack.referral_count() == before + 1
