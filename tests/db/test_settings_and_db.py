"""Settings refuse placeholder secrets in production; migrations go up and down on each database."""

import pytest
from pydantic import ValidationError
from sqlalchemy import inspect

from bot.db.migrate import downgrade, upgrade
from bot.db.session import get_engine
from bot.settings import Settings

TABLES = {"organizations", "referrals", "referral_events", "reference_counters", "users", "qa_log"}


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
    """Numbering referrals reads then writes; with other connections writing meanwhile, none may fail."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import datetime, timezone

    from bot.db.session import session_scope
    from bot.mediation.referrals import next_reference

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    upgrade(url)
    now = datetime(2026, 11, 30, tzinfo=timezone.utc)

    def number(_: int) -> str:
        with session_scope(url) as s:
            return next_reference(s, now)

    with ThreadPoolExecutor(max_workers=8) as pool:
        references = list(pool.map(number, range(40)))
    assert sorted(references) == [f"QY-20261130-{n:04d}" for n in range(1, 41)]
    get_engine(url).dispose()
