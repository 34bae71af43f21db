"""Status-lookup limits in the database: misses per reference and per client within a sliding window."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from bot.db.models import StatusLookupMiss
from bot.db.session import session_scope
from bot.mediation.lookup_limits import LookupLimits
from bot.settings import Settings

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
LIMITS = LookupLimits(per_reference=3, per_client=5, window=timedelta(hours=24))
REF, OTHER = "QY-261207-K7MP-9PQX", "QY-261207-ABCD-EFGH"


def _miss(db_url: str, reference: str, client: str, at: datetime) -> None:
    with session_scope(db_url) as s:
        LIMITS.record_miss(s, reference, client, at)


def _locked(db_url: str, reference: str, clients: list[str], at: datetime) -> bool:
    with session_scope(db_url) as s:
        return LIMITS.locked(s, reference, clients, at)


def test_defaults_come_from_settings() -> None:
    limits = LookupLimits.from_settings(Settings(_env_file=None, app_env="test"))  # type: ignore[call-arg]
    assert limits == LookupLimits(per_reference=5, per_client=10, window=timedelta(hours=24))


def test_a_reference_locks_for_everyone_after_its_misses(db_url: str) -> None:
    for n in range(3):
        assert not _locked(db_url, REF, [f"c{n}"], T0)
        _miss(db_url, REF, f"c{n}", T0 + timedelta(minutes=n))
    assert _locked(db_url, REF, ["someone-new"], T0 + timedelta(hours=1))
    assert not _locked(db_url, OTHER, ["someone-new"], T0 + timedelta(hours=1))


def test_a_client_locks_on_every_reference_and_keys_rotate(db_url: str) -> None:
    for n in range(5):
        _miss(db_url, f"QY-261207-AAAA-AAA{n + 2}", "old-hash", T0)
    assert _locked(db_url, OTHER, ["old-hash"], T0)
    assert _locked(db_url, OTHER, ["new-hash", "old-hash"], T0)  # the same client after a key rotation
    assert not _locked(db_url, OTHER, ["new-hash"], T0)


def test_the_lock_ends_when_the_oldest_miss_leaves_the_window(db_url: str) -> None:
    for n in range(3):
        _miss(db_url, REF, f"c{n}", T0 + timedelta(hours=n))
    assert _locked(db_url, REF, ["x"], T0 + timedelta(hours=23, minutes=59, seconds=59))
    assert not _locked(db_url, REF, ["x"], T0 + timedelta(hours=24))  # the first miss is 24 h old: out


def test_misses_that_left_the_window_are_deleted(db_url: str) -> None:
    _miss(db_url, REF, "c", T0)
    _miss(db_url, OTHER, "d", T0 + timedelta(hours=25))
    with session_scope(db_url) as s:
        rows = s.execute(select(StatusLookupMiss.key).order_by(StatusLookupMiss.id)).scalars().all()
        assert rows == [OTHER, "d"]
        assert s.execute(select(func.count()).select_from(StatusLookupMiss)).scalar_one() == 2
