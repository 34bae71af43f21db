"""The atomic lock store hands out distinct tickets however many servers ask at once."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.channels.lock_store import AtomicRedisLockStore
from tests.conftest import free_port


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    assert shutil.which("redis-server"), "redis-server is not installed (scripts/install-system-deps.sh)"
    port = free_port()
    folder: Path = tmp_path_factory.mktemp("redis")
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            ping = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True)
            if ping.stdout.strip() == "PONG":
                break
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_tickets_issued_at_once_by_many_servers_are_distinct(redis_port: int) -> None:
    stores = [AtomicRedisLockStore(host="127.0.0.1", port=redis_port, key_prefix="t") for _ in range(8)]
    for attempt in range(5):
        conversation = f"c{attempt}"
        with ThreadPoolExecutor(max_workers=8) as pool:
            tickets = list(pool.map(lambda store, c=conversation: store.issue_ticket(c), stores))
        assert sorted(tickets) == list(range(8))


def test_it_is_built_the_way_rasa_builds_a_custom_lock_store(redis_port: int) -> None:
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig(
        url="127.0.0.1",
        type="bot.channels.lock_store.AtomicRedisLockStore",
        port=str(redis_port),
        db="1",
        key_prefix="qybot",
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.issue_ticket("x") == 0 and store.issue_ticket("x") == 1
