"""Conversations in Rasa's tracker store kept only as long as they are useful: they hold what citizens typed,
names and phone numbers included, in clear. Whole conversations idle for RETENTION_CONVERSATION_DAYS go, and so
do the earlier sessions of conversations still in use (Rasa reads only the latest session; slots carried over to
it stay)."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

IDLE = """sender_id IN (SELECT sender_id FROM events GROUP BY sender_id HAVING max(timestamp) < :cutoff)"""
EARLIER_SESSIONS = """timestamp < :cutoff AND id < (
    SELECT max(started.id) FROM events started
    WHERE started.sender_id = events.sender_id AND started.type_name = 'session_started')"""


def prune_conversations(tracker_url: str, cutoff: float, dry_run: bool = False) -> int:
    """Deletes (or, with ``dry_run``, counts) the tracker events older than ``cutoff`` (epoch seconds) that no
    conversation will read again; 0 when the tracker store has no events table yet."""
    engine = create_engine(tracker_url, future=True)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        condition = f"({IDLE}) OR ({EARLIER_SESSIONS})"
        with engine.begin() as connection:
            count = connection.execute(
                text(f"SELECT count(*) FROM events WHERE {condition}"), {"cutoff": cutoff}
            )
            found = int(count.scalar() or 0)
            if found and not dry_run:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql("PRAGMA secure_delete=ON")
                connection.execute(text(f"DELETE FROM events WHERE {condition}"), {"cutoff": cutoff})
        return found
    finally:
        engine.dispose()
