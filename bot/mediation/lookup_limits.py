"""Status-lookup limits across conversations: failed queries counted per reference and per client, in the database.

A reference is locked for everyone after ``per_reference`` misses within ``window``, and a client (the hashed
sender id) after ``per_client``; a lock lasts until the oldest of those misses is older than the window. A wrong
key and an unknown reference count alike, so a lock never tells whether a reference exists; a success clears
nothing (else someone could reset their count with their own referral). Concurrent misses may overshoot a limit by
the number of queries in flight at that moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.db.models import StatusLookupMiss
from bot.settings import Settings

REFERENCE, CLIENT = "reference", "client"


@dataclass(frozen=True)
class LookupLimits:
    """How many misses a reference and a client may have within the window."""

    per_reference: int
    per_client: int
    window: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> LookupLimits:
        return cls(
            settings.status_misses_per_reference,
            settings.status_misses_per_client,
            timedelta(hours=settings.status_lock_hours),
        )

    def _misses(self, session: Session, scope: str, keys: Sequence[str], now: datetime) -> int:
        query = (
            select(func.count())
            .select_from(StatusLookupMiss)
            .where(StatusLookupMiss.scope == scope, StatusLookupMiss.key.in_([k[:64] for k in keys]))
            .where(StatusLookupMiss.missed_at > now - self.window)
        )
        return int(session.execute(query).scalar_one())

    def locked(self, session: Session, reference: str, clients: Sequence[str], now: datetime) -> bool:
        """Whether this reference, or this client, has had too many misses lately. ``clients`` are the client's
        sender hashes, current key first, so a key rotation does not give anyone a fresh count."""
        return (
            self._misses(session, REFERENCE, [reference], now) >= self.per_reference
            or self._misses(session, CLIENT, clients, now) >= self.per_client
        )

    def record_miss(self, session: Session, reference: str, client: str, now: datetime) -> None:
        """Count one miss against the reference and the client (its current sender hash), and forget every miss
        that has left the window."""
        session.execute(delete(StatusLookupMiss).where(StatusLookupMiss.missed_at <= now - self.window))
        session.add_all(
            [
                StatusLookupMiss(scope=REFERENCE, key=reference[:64], missed_at=now),
                StatusLookupMiss(scope=CLIENT, key=client[:64], missed_at=now),
            ]
        )
        session.flush()
