"""Shared fixtures: a fresh database per test (SQLite, plus PostgreSQL when TEST_POSTGRES_URL is set), the
knowledge services built once per run (as the action server builds them), and the trained test model with a real
action server (trained once per run)."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import hypothesis
import pytest
import requests

from bot import services
from bot.settings import OFFLINE_ENV
from tests.paths import ROOT

# Every log line of the run (this process's and each server's) is kept here and searched for personal data at the
# end: a phone number, an ID number or an applicant's name in any of them fails the run (tests/pii_scan.py).
# (one folder per run name: `make pytest` runs the unit tests beside the model's training, then the rest).
LOG_DIR = ROOT / "var" / "test-logs" / os.environ.get("TEST_LOG_NAME", "run")
os.environ.update(OFFLINE_ENV)
# Property tests draw the same examples on every run (a CI run is red only for a reason it shows again), and
# keep no example database between runs.
hypothesis.settings.register_profile("qybot", derandomize=True, database=None)
hypothesis.settings.load_profile("qybot")
os.environ.setdefault("APP_ENV", "test")  # the only environment that accepts any SECRET_KEY
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use-0123456789")
BUILD = ROOT / "var" / "build"  # where `bot build` writes (never into the source tree)


def _postgres_params() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get("TEST_POSTGRES_URL"):
        params.append(pytest.param("postgres", id="postgres"))
    return params


def _fresh_postgres(base_url: str) -> tuple[str, object]:
    """A new schema in the test database, used through search_path; dropped afterwards."""
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, future=True)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base_url else "?"
    url = f"{base_url}{separator}options=-csearch_path%3D{schema}"

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    return url, drop


@pytest.fixture(params=_postgres_params())
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated, empty database for this test only; settings and services point at it."""
    from bot.db.migrate import upgrade
    from bot.db.session import get_engine
    from bot.settings import get_settings

    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        url, drop = _fresh_postgres(os.environ["TEST_POSTGRES_URL"])
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv(
        "TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'tracker.db'}"
    )  # never the project's var/
    get_settings.cache_clear()
    services.reset()
    upgrade(url)
    yield url
    get_engine(url).dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()
    services.reset()
    if drop:
        drop()


@pytest.fixture
def directory_db(db_url: str) -> str:
    """A database with the whole mediation directory imported."""
    from bot.db.session import session_scope
    from bot.mediation.directory import import_directory

    with session_scope(db_url) as session:
        import_directory(session, services.catalog().directory_rows)
    return db_url


@pytest.fixture(scope="session")
def catalog():
    """The knowledge catalog the services use (read once per run)."""
    return services.catalog()


@pytest.fixture(scope="session")
def retriever():
    """The production retriever (every dictionary, dialect folding, topic questions, twins), built once per run."""
    return services.retriever()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """One real redis-server for the run (tests/redis_server.py); ``redis_url`` gives each test an empty one."""
    from tests.redis_server import redis_server

    with redis_server(tmp_path_factory.mktemp("redis"), free_port()) as port:
        yield port


@pytest.fixture
def redis_url(redis_port: int) -> str:
    """REDIS_URL of the run's redis-server, emptied for this test."""
    import redis

    client = redis.Redis(port=redis_port)
    client.flushall()
    client.close()
    return f"redis://127.0.0.1:{redis_port}/0"


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The test model (config.yml with epochs scaled by TEST_EPOCHS_SCALE), trained once and reused."""
    from bot.ops.build import build_all
    from bot.ops.training import ensure_model

    build_all(ROOT, BUILD)
    out = ROOT / os.environ.get("TEST_MODEL_DIR", "var/test-model")
    return ensure_model(ROOT, out, float(os.environ.get("TEST_EPOCHS_SCALE", "1.0")))


@pytest.fixture(scope="session")
def stack_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite database with the directory, shared by the running action server and the tests reading it."""
    from bot.db.migrate import upgrade
    from bot.db.session import session_scope
    from bot.mediation.directory import import_directory

    url = f"sqlite:///{tmp_path_factory.mktemp('stack') / 'stack.db'}"
    upgrade(url)
    with session_scope(url) as session:
        import_directory(session, services.catalog().directory_rows)
    return url


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    shutil.rmtree(LOG_DIR, ignore_errors=True)
    LOG_DIR.mkdir(parents=True)
    handler = logging.FileHandler(LOG_DIR / "pytest.log", encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level, logging.INFO) or logging.INFO)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fails the run if any log line of it carries personal data."""
    from tests.pii_scan import scan_folder

    for handler in logging.getLogger().handlers:
        handler.flush()
    if not LOG_DIR.is_dir():
        return
    found = scan_folder(LOG_DIR)
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"personal data in the logs of this run ({len(found)} lines, in {LOG_DIR}):", *found[:20]]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def log_file(command: list[str]) -> Path:
    """Where a server started by a test writes its output: LOG_DIR, named after its module and a counter."""
    module = command[2] if len(command) > 2 and command[1] == "-m" else Path(command[0]).name
    return LOG_DIR / f"{module}-{len(list(LOG_DIR.glob(module + '-*.log')))}.log"


@contextmanager
def serving(command: list[str], env: dict[str, str], health_url: str) -> Iterator[subprocess.Popen]:
    """Run a server process from the project root until the with-block ends; yields once it is healthy."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with open(log_file(command), "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(health_url, process)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


# Rasa and the action server share it, as under `bot run`; other callers are refused.
ACTION_SECRET = f"test-action-secret-{uuid.uuid4().hex}"


@pytest.fixture(scope="session")
def action_server(stack_db: str) -> Iterator[str]:
    """A real rasa-sdk action server on a loopback port, using the stack database."""
    port = free_port()
    env = {**os.environ, **OFFLINE_ENV, "DATABASE_URL": stack_db, "KNOWLEDGE_SOURCE": "folder"}
    env["ACTION_SECRET"] = ACTION_SECRET
    command = [sys.executable, "-m", "bot.ops.action_server", "--actions", "actions", "-p", str(port)]
    with serving(command, env, f"http://127.0.0.1:{port}/health"):
        yield f"http://127.0.0.1:{port}/webhook"


@pytest.fixture(scope="session")
def agent(trained_model: Path, action_server: str):
    """The trained model loaded in-process, calling the real action server."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    endpoint = EndpointConfig(action_server, headers={"X-Action-Secret": ACTION_SECRET})
    return Agent.load(str(trained_model), action_endpoint=endpoint)


def rasa_command(model: Path, port: int) -> list[str]:
    """Rasa through our launcher (action timeout, tracker store from the environment) on a loopback port."""
    command = [sys.executable, "-m", "bot.channels.server", "run", "-m", str(model), "-p", str(port)]
    return [*command, "-i", "127.0.0.1", "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]


def rasa_env(action_server: str, tracker_url: str) -> dict[str, str]:
    env = {**os.environ, **OFFLINE_ENV, "ACTION_SERVER_URL": action_server, "ACTION_TIMEOUT_SECONDS": "10"}
    return env | {"ACTION_SECRET": ACTION_SECRET, "TRACKER_STORE_URL": tracker_url}


@pytest.fixture(scope="session")
def tracker_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite tracker store of the session's Rasa server."""
    return tmp_path_factory.mktemp("tracker") / "tracker.db"


@pytest.fixture(scope="session")
def rasa_server(trained_model: Path, action_server: str, tracker_db: Path) -> Iterator[str]:
    """A real Rasa server with its own SQLite tracker store, calling the real action server."""
    port = free_port()
    tracker_url = f"sqlite:///{tracker_db}"
    with serving(
        rasa_command(trained_model, port), rasa_env(action_server, tracker_url), f"http://127.0.0.1:{port}/"
    ):
        yield f"http://127.0.0.1:{port}"
