"""The production profile, run for real on loopback: PostgreSQL (conversations and application data), Redis (Rasa's
lock store), two Rasa servers, two action servers, the web app and nginx in front. Conversations whose messages
alternate between the two Rasa servers complete with every event in order and one referral each; nginx exposes
only the web app and WeChat; Rasa survives Redis going away and coming back without processing anything twice."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bot import services
from bot.db.models import Referral
from bot.db.session import session_scope
from bot.ops.deploy import Topology, render_nginx, standalone_nginx
from bot.settings import OFFLINE_ENV
from tests.conftest import LOG_DIR, free_port, wait_for
from tests.paths import ROOT
from tests.redis_server import redis_server

pytestmark = [pytest.mark.model, pytest.mark.server]
CONVERSATIONS = 50
PLACE = "清城区凤城街道高基里社区"
SCRIPT = [  # one citizen, typing as people type: a question first, then a whole intake
    "楼上邻居家漏水把我家天花板泡坏了，他不肯赔怎么办",
    "我想申请调解",
    "邻居纠纷",
    PLACE,
    "楼上邻居",
    "楼上漏水三个月了，一直不肯修，也不肯赔",
    "没有",
    "同意",
    "王阿姨",
    "139 2222 4444",
    "对",
]


def _database(base_url: str, name: str) -> str:
    """A new database beside TEST_POSTGRES_URL's (dropped by the caller)."""
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def _drop(base_url: str, name: str) -> None:
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Profile:
    rasa: list[str]  # each Rasa server's base URL, for messages sent to one server on purpose
    public: str  # nginx's public port
    internal: str  # nginx's loopback-only port
    app_db: str
    tracker_db: str
    redis_port: int
    folder: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    redis: ExitStack = field(default_factory=ExitStack)

    def start_redis(self) -> None:
        self.redis.enter_context(redis_server(self.folder, self.redis_port))

    def stop_redis(self) -> None:
        self.redis.close()

    def user_texts(self, sender: str) -> list[str]:
        engine = create_engine(self.tracker_db, future=True)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
            ).all()
        engine.dispose()
        return [json.loads(data).get("text") for kind, data in rows if kind == "user"]

    def event_kinds(self, sender: str) -> list[tuple[str, str | None]]:
        engine = create_engine(self.tracker_db, future=True)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT type_name, action_name FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender},
            ).all()
        engine.dispose()
        return [(kind, action) for kind, action in rows]


def _start(name: str, command: list[str], env: dict[str, str], health: str, profile: Profile) -> None:
    path = LOG_DIR / f"scale-out-{name}.log"  # searched for personal data at the end of the run
    profile.logs[name] = path
    with open(path, "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    profile.processes[name] = process
    if health:
        wait_for(health, process)


@pytest.fixture(scope="module")
def profile(trained_model: Path) -> Iterator[Profile]:
    base = os.environ.get("TEST_POSTGRES_URL")
    if not base:
        pytest.fail("TEST_POSTGRES_URL is not set: run through `make test` (it starts PostgreSQL)")
    for program in ("redis-server", "nginx"):
        assert shutil.which(program) or Path("/usr/sbin", program).exists(), f"{program} is not installed"
    folder = Path(tempfile.mkdtemp(prefix="qybot-scale-"))
    folder.chmod(0o755)  # nginx's workers run as another user and must reach their temp folders
    suffix = uuid.uuid4().hex[:8]
    names = (f"qybot_app_{suffix}", f"qybot_tracker_{suffix}")
    app_db, tracker_db = (_database(base, name) for name in names)
    from bot.db.migrate import upgrade
    from bot.mediation.directory import import_directory

    upgrade(app_db)
    with session_scope(app_db) as session:
        import_directory(session, services.catalog().directory_rows)

    rasa_ports, action_ports = [free_port(), free_port()], [free_port(), free_port()]
    web_port, public_port, internal_port = free_port(), free_port(), free_port()
    profile = Profile(
        rasa=[f"http://127.0.0.1:{p}" for p in rasa_ports],
        public=f"http://127.0.0.1:{public_port}",
        internal=f"http://127.0.0.1:{internal_port}",
        app_db=app_db,
        tracker_db=tracker_db,
        redis_port=free_port(),
        folder=folder,
    )
    env = {
        **os.environ,
        **OFFLINE_ENV,
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ACTION_SECRET": secrets.token_urlsafe(32),
        "DATABASE_URL": app_db,
        "TRACKER_STORE_URL": tracker_db,
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(profile.redis_port),
        "REDIS_LOCK_DB": "1",
        "REDIS_URL": f"redis://127.0.0.1:{profile.redis_port}/2",
        "ACTION_SERVER_URL": f"{profile.internal}/webhook",
        "RASA_URL": profile.internal,
        "KNOWLEDGE_SOURCE": "folder",
        "BIND_HOST": "127.0.0.1",
    }
    try:
        profile.start_redis()
        for i, port in enumerate(action_ports):
            command = [sys.executable, "-m", "bot.ops.action_server", "--actions", "actions", "-p", str(port)]
            _start(f"actions{i}", command, env, f"http://127.0.0.1:{port}/health", profile)
        for i, port in enumerate(rasa_ports):
            command = [sys.executable, "-m", "bot.channels.server", "run", "-m", str(trained_model)]
            command += ["-i", "127.0.0.1", "-p", str(port), "--endpoints", "deploy/endpoints.production.yml"]
            command += ["--credentials", "credentials.yml"]
            _start(f"rasa{i}", command, env, "", profile)
        _start("web", [sys.executable, "-m", "bot.web.serve"], env | {"WEB_PORT": str(web_port)}, "", profile)
        topology = Topology(
            rasa=tuple(f"127.0.0.1:{p}" for p in rasa_ports),
            actions=tuple(f"127.0.0.1:{p}" for p in action_ports),
            web=f"127.0.0.1:{web_port}",
            public_listen=f"127.0.0.1:{public_port}",
            internal_listen=f"127.0.0.1:{internal_port}",
        )
        conf = folder / "nginx.conf"
        conf.write_text(standalone_nginx(render_nginx(ROOT, topology), folder), encoding="utf-8")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        _start("nginx", [nginx, "-p", str(folder), "-c", str(conf)], dict(os.environ), "", profile)
        for name, url in [("rasa0", profile.rasa[0]), ("rasa1", profile.rasa[1])]:
            wait_for(f"{url}/", profile.processes[name])
        wait_for(f"{profile.public}/health", profile.processes["web"])
        yield profile
    finally:
        profile.stop_redis()
        for process in reversed(list(profile.processes.values())):
            process.terminate()
        for process in profile.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for name in names:
            _drop(base, name)
        shutil.rmtree(folder, ignore_errors=True)


def _say(base: str, sender: str, message: str) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    reply = requests.post(
        f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )
    reply.raise_for_status()
    return list(reply.json()), time.perf_counter() - started


def _converse(profile: Profile, index: int) -> tuple[str, str | None, list[float]]:
    """One citizen; message i goes to Rasa server (index + i) % 2, so consecutive messages change server."""
    sender = f"scale-{index}-{uuid.uuid4().hex[:8]}"
    reference, seconds = None, []
    for i, message in enumerate(SCRIPT):
        messages, took = _say(profile.rasa[(index + i) % 2], sender, message)
        seconds.append(took)
        for m in messages:
            custom = m.get("custom")
            if isinstance(custom, dict) and custom.get("kind") == "referral_created":
                reference = custom["reference"]
    return sender, reference, seconds


def test_conversations_alternating_between_two_rasa_servers_lose_nothing(profile: Profile) -> None:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda i: _converse(profile, i), range(CONVERSATIONS)))
    elapsed = time.perf_counter() - started
    references = [reference for _, reference, _ in results]
    assert all(references), f"{references.count(None)} intakes did not end with a referral"
    assert len(set(references)) == CONVERSATIONS
    with session_scope(profile.app_db) as session:
        count = session.execute(select(func.count()).select_from(Referral)).scalar_one()
        stored = session.execute(select(Referral.reference)).scalars().all()
    assert count == CONVERSATIONS and sorted(stored) == sorted(references)  # each exactly once
    for sender, _, _ in results:
        assert profile.user_texts(sender) == SCRIPT  # every message, once, in order
        kinds = profile.event_kinds(sender)
        users = [i for i, (kind, _) in enumerate(kinds) if kind == "user"]
        for start, end in zip(users, [*users[1:], len(kinds)], strict=True):
            turn = kinds[start:end]
            assert ("bot", None) in turn, turn  # every message was answered before the next was processed
            assert turn[-1] == ("action", "action_listen"), turn
    seconds = sorted(s for _, _, took in results for s in took)
    figures = {
        "conversations": CONVERSATIONS,
        "messages": len(seconds),
        "seconds": round(elapsed, 1),
        "messages_per_second": round(len(seconds) / elapsed, 1),
        "p50_ms": round(statistics.median(seconds) * 1000),
        "p95_ms": round(seconds[int(len(seconds) * 0.95)] * 1000),
    }
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "scale-out.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print("two Rasa servers, 10 concurrent citizens:", figures)


def test_two_messages_of_one_conversation_at_once_are_processed_one_after_the_other(profile: Profile) -> None:
    """Rasa's own Redis lock store lost one of two such messages now and then (bot/channels/lock_store.py)."""
    senders = [f"lock-{i}-{uuid.uuid4().hex[:8]}" for i in range(10)]
    texts = ["你好", "我想申请调解"]
    jobs = [(sender, i) for sender in senders for i in range(2)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        list(pool.map(lambda job: _say(profile.rasa[job[1]], job[0], texts[job[1]]), jobs))
    for sender in senders:
        assert sorted(profile.user_texts(sender)) == sorted(texts)
        kinds = profile.event_kinds(sender)
        users = [i for i, (kind, _) in enumerate(kinds) if kind == "user"]
        assert kinds[users[1] - 1] == (
            "action",
            "action_listen",
        )  # the first turn ended before the second began


def test_nginx_serves_the_web_chat_and_wechat_and_keeps_rasa_private(profile: Profile) -> None:
    reply = requests.post(
        f"{profile.public}/api/chat", json={"sender": uuid.uuid4().hex[:16], "message": "你好"}, timeout=30
    )
    assert reply.status_code == 200 and reply.json()["messages"], reply.text
    # WeChat's callback reaches the channel (off here: no token configured, so it answers 503, not nginx's 404)
    assert requests.get(f"{profile.public}/webhooks/wechat/webhook", timeout=10).status_code == 503
    for path in ("/webhooks/rest/webhook", "/socket.io/?EIO=4&transport=polling", "/conversations/x/tracker"):
        assert requests.get(f"{profile.public}{path}", timeout=10).status_code == 404, path
    forged = requests.post(
        f"{profile.public}/webhook", json={"next_action": "action_submit_mediation"}, timeout=10
    )
    assert forged.status_code in (404, 405)  # the action servers are not public
    direct = requests.post(f"{profile.internal}/webhook", json={"next_action": "x"}, timeout=10)
    assert direct.status_code == 403  # and even on loopback they want the shared secret
    preflight = requests.options(
        f"{profile.rasa[0]}/webhooks/rest/webhook",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers  # no CORS for anyone


def test_rasa_recovers_when_redis_returns_and_processes_nothing_twice(profile: Profile) -> None:
    sender = f"redis-{uuid.uuid4().hex[:8]}"
    _say(profile.rasa[0], sender, "你好")
    profile.stop_redis()
    try:
        lost = requests.post(
            f"{profile.rasa[1]}/webhooks/rest/webhook", json={"sender": sender, "message": "在吗"}, timeout=60
        )
        assert lost.status_code >= 500 or lost.json() == []  # refused, not half-processed
        assert profile.user_texts(sender) == ["你好"]
        log = profile.logs["rasa1"].read_text(encoding="utf-8", errors="replace")
        assert "redis" in log.lower() or "connection" in log.lower()  # Rasa reports it
    finally:
        profile.start_redis()
    for server in profile.rasa:
        messages, _ = _say(server, sender, "在吗")
        assert messages
    assert profile.user_texts(sender) == ["你好", "在吗", "在吗"]
