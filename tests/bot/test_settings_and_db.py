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
        Settings(app_env="production", secret_key="change-me")
    assert Settings(app_env="production", secret_key="x" * 40).secret_key == "x" * 40


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
