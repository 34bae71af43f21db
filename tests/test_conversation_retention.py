"""Old conversations leave Rasa's tracker store: idle ones whole, and the earlier sessions of those still in use;
the latest session of a conversation in use, which Rasa reads, stays."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.conversation_retention import prune_conversations

DAY = 86_400.0
NOW = 1_800_000_000.0


def _tracker(url: str, rows: list[tuple[str, str, float]]) -> str:
    """Rasa's own `events` table at ``url``, holding ``rows`` (sender, event type, timestamp)."""
    from rasa.core.tracker_store import SQLTrackerStore

    engine = create_engine(url, future=True)
    SQLTrackerStore.SQLEvent.__table__.create(engine)
    with engine.begin() as connection:
        for sender, kind, at in rows:
            connection.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :k, :t, '{}')"),
                {"s": sender, "k": kind, "t": at},
            )
    engine.dispose()
    return url


def _left(url: str) -> list[tuple[str, str, float]]:
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT sender_id, type_name, timestamp FROM events ORDER BY id")
        ).all()
    engine.dispose()
    return [(str(sender), str(kind), float(at)) for sender, kind, at in rows]


def test_idle_conversations_and_earlier_sessions_go_the_latest_session_stays(db_url: str) -> None:
    """On SQLite and (with TEST_POSTGRES_URL) PostgreSQL, as in the production profile."""
    old, recent = NOW - 60 * DAY, NOW - 2 * DAY
    rows = [
        ("idle", "session_started", old),
        ("idle", "user", old + 1),  # 我叫王阿姨，电话…, 60 days ago and never again
        ("back", "session_started", old),
        ("back", "user", old + 1),
        ("back", "session_started", recent),  # came back two days ago
        ("back", "slot", recent),  # the slots carried over to the new session
        ("back", "user", recent + 1),
        ("new", "session_started", recent),
        ("new", "user", recent + 1),
        ("long", "session_started", old),  # one session, still in use: nothing of it may go
        ("long", "user", old + 1),
        ("long", "user", recent),
    ]
    url = _tracker(db_url, rows)
    cutoff = NOW - 30 * DAY
    assert prune_conversations(url, cutoff, dry_run=True) == 4
    assert _left(url) == rows  # a dry run only counts
    assert prune_conversations(url, cutoff) == 4
    assert _left(url) == rows[4:]  # the idle conversation and the earlier session of "back" are gone
    assert prune_conversations(url, cutoff) == 0


def test_a_tracker_store_not_created_yet_is_left_alone(tmp_path: Path) -> None:
    assert prune_conversations(f"sqlite:///{tmp_path / 'none.db'}", NOW) == 0


def test_retention_run_prunes_the_configured_tracker_store(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.retention import run_retention
    from bot.settings import get_settings

    now = datetime(2027, 6, 1, tzinfo=timezone.utc)
    rows = [("idle", "user", now.timestamp() - 40 * DAY), ("new", "user", now.timestamp() - DAY)]
    url = _tracker(f"sqlite:///{tmp_path / 'conversations.db'}", rows)
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    get_settings.cache_clear()
    report = run_retention(get_settings(), now)
    assert report.conversation_events_deleted == 1
    assert [sender for sender, _, _ in _left(url)] == ["new"]
    assert "1 conversation events were deleted from the tracker store" in report.lines()
