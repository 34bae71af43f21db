"""Settings refuse unknown environments; migrations go up and down on each database (SECRET_KEY: test_secret_key)."""

import pytest
from pydantic import ValidationError
from sqlalchemy import inspect

from bot.db.migrate import downgrade, upgrade
from bot.db.session import get_engine
from bot.settings import Settings

TABLES = {"organizations", "referrals", "referral_events", "status_lookup_misses", "users", "qa_log"}


def test_production_needs_a_real_secret() -> None:
    with pytest.raises(ValidationError):
        Settings(app_env="production", secret_key="change-me", action_secret="a" * 40)
    with pytest.raises(ValidationError, match="ACTION_SECRET"):  # the action server would be open to anyone
        Settings(app_env="production", secret_key="x" * 40, action_secret="")
    assert Settings(app_env="production", secret_key="x" * 40, action_secret="a" * 40).secret_key == "x" * 40


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(app_env="staging")


def test_default_database_is_a_sqlite_file_under_var() -> None:
    settings = Settings(database_url="")
    assert settings.db_url.startswith("sqlite:///") and settings.db_url.endswith("var/qybot.db")


def test_migrations_up_down_up(db_url: str) -> None:
    engine = get_engine(db_url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    downgrade(db_url, "base")
    engine.dispose()
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(db_url)
    engine.dispose()
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_concurrent_writers_on_sqlite_wait_instead_of_failing(tmp_path) -> None:
    """Counting status-query misses reads then writes; with other connections writing meanwhile, none may fail."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import func, select

    from bot.db.models import StatusLookupMiss
    from bot.db.session import session_scope
    from bot.mediation.lookup_limits import LookupLimits

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    upgrade(url)
    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    limits = LookupLimits(per_reference=100, per_client=100, window=timedelta(hours=24))

    def miss(n: int) -> bool:
        with session_scope(url) as s:
            locked = limits.locked(s, f"QY-261130-{n:08d}", [f"client-{n % 4}"], now)
            limits.record_miss(s, f"QY-261130-{n:08d}", f"client-{n % 4}", now)
            return locked

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert not any(pool.map(miss, range(40)))
    with session_scope(url) as s:
        assert s.execute(select(func.count()).select_from(StatusLookupMiss)).scalar_one() == 80
    get_engine(url).dispose()
