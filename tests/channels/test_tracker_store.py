"""The faster SQL tracker store reads and writes exactly what Rasa's own SQLTrackerStore does, over several
conversation sessions, on SQLite and (with TEST_POSTGRES_URL) PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.channels.tracker_store import FastSQLTrackerStore
from tests.paths import ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def _turn(n: int, at: float) -> list:
    return [
        UserUttered(f"第{n}句", {"name": "ask_legal", "confidence": 1.0}, timestamp=at),
        ActionExecuted("action_answer_legal", timestamp=at + 0.1),
        BotUttered(f"回答{n}", timestamp=at + 0.2),
        SlotSet("dispute_type", "neighbor" if n % 2 else "debt", timestamp=at + 0.3),
        ActionExecuted("action_listen", timestamp=at + 0.4),
    ]


def test_it_reads_and_writes_what_rasas_store_does(domain: Domain, db_url: str) -> None:
    ours = FastSQLTrackerStore(domain, host=db_url)
    theirs = SQLTrackerStore(domain, host=db_url)
    sender = f"s-{uuid.uuid4().hex[:8]}"

    async def run() -> None:
        tracker = DialogueStateTracker(sender, domain.slots)
        at = 1000.0
        for n in range(12):
            if n == 6:  # a new conversation session: only its events are read back
                for event in (
                    ActionExecuted("action_session_start", timestamp=at),
                    SessionStarted(timestamp=at),
                ):
                    tracker.update(event)
            for event in _turn(n, at):
                tracker.update(event)
            await (ours if n % 2 else theirs).save(tracker)  # each store continues where the other stopped
            at += 10
            mine, rasas = await ours.retrieve(sender), await theirs.retrieve(sender)
            assert mine is not None and rasas is not None
            assert mine.events == rasas.events
            assert mine.current_slot_values() == rasas.current_slot_values()
            full_mine = await ours.retrieve_full_tracker(sender)
            full_rasas = await theirs.retrieve_full_tracker(sender)
            assert full_mine is not None and full_rasas is not None and full_mine.events == full_rasas.events
        latest = await ours.retrieve(sender)
        assert latest is not None
        first = next(e for e in latest.events if isinstance(e, UserUttered))
        assert first.text == "第6句"
        assert await ours.retrieve("nobody") is None

    asyncio.run(run())
    for store in (ours, theirs):
        store.engine.dispose()


def test_rasa_builds_it_from_endpoints_yml(domain: Domain, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    config = EndpointConfig(url=url, type="bot.channels.tracker_store.FastSQLTrackerStore")
    store = TrackerStore.create(config, domain)
    assert isinstance(getattr(store, "_tracker_store", store), FastSQLTrackerStore)


def test_sqlite_conversations_use_the_write_ahead_log(domain: Domain, tmp_path) -> None:
    """Each turn's commit is not synced to disk on SQLite (write-ahead log, synchronous NORMAL)."""
    store = FastSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    tracker = DialogueStateTracker.from_events("wal", _turn(1, 1000.0), slots=domain.slots)
    asyncio.run(store.save(tracker))
    assert len(asyncio.run(store.retrieve("wal")).events) == len(tracker.events)


def test_sqlite_connections_stay_open_between_turns(domain: Domain, tmp_path) -> None:
    """Opening and closing the file every turn checkpointed and synced the log each time."""
    from sqlalchemy.pool import QueuePool

    store = FastSQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    assert isinstance(store.engine.pool, QueuePool)
    for n in range(3):
        tracker = DialogueStateTracker.from_events("pool", _turn(n, 1000.0 + n), slots=domain.slots)
        asyncio.run(store.save(tracker))
    assert store.engine.pool.checkedin() == 1  # one connection, reused and kept
