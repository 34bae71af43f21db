"""Migrations 0002 (status notices), 0003 (data lifecycle), 0004 (status lookup limits) and 0005 (notice claims):
one head, the models match the migrated schema, and each goes down and up again over existing referrals, on SQLite
and (with TEST_POSTGRES_URL) PostgreSQL."""

import runpy
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from bot.db.migrate import VERSIONS, alembic_config, downgrade, revision, upgrade
from bot.db.models import Base, Referral, ReferralEvent
from bot.db.session import get_engine, session_scope
from bot.privacy import PiiCipher
from tests.mediation.referral_factory import add_orgs, add_referral

NEW_TABLES = {"wechat_contacts", "notifications"}


def test_one_head_after_0001(db_url: str) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(db_url))
    assert scripts.get_heads() == ["0006"]
    assert scripts.get_revision("0006").down_revision == "0005"
    assert scripts.get_revision("0005").down_revision == "0004"
    assert scripts.get_revision("0004").down_revision == "0003"
    assert scripts.get_revision("0003").down_revision == "0002"
    assert scripts.get_revision("0002").down_revision == "0001"


def test_upgrade_head_matches_the_models(db_url: str) -> None:
    engine = get_engine(db_url)
    schema = inspect(engine)
    assert set(schema.get_table_names()) >= NEW_TABLES | {"referrals", "referral_events"}
    assert {c["name"] for c in schema.get_columns("notifications")} == {
        "id", "referral_id", "referral_status", "status", "created_at", "sent_at", "shown_at", "attempts",
        "last_error", "claimed_at",
    }  # fmt: skip
    assert "org_id" in {c["name"] for c in schema.get_columns("referral_events")}
    assert {"question_counts", "job_runs"} <= set(schema.get_table_names())
    assert "anonymised_at" in {c["name"] for c in schema.get_columns("referrals")}
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_0002_goes_down_and_up_over_existing_referrals(db_url: str) -> None:
    with session_scope(db_url) as s:
        add_orgs(s)
        add_referral(s, PiiCipher("x"))
    engine = get_engine(db_url)
    downgrade(db_url, "0001")  # through 0004 and 0003 as well
    engine.dispose()
    schema = inspect(engine)
    assert not NEW_TABLES & set(schema.get_table_names())
    assert "org_id" not in {c["name"] for c in schema.get_columns("referral_events")}
    upgrade(db_url)
    engine.dispose()
    with session_scope(db_url) as s:
        (event,) = s.execute(select(ReferralEvent)).scalars().all()
        assert (event.status, event.org_id) == ("submitted", None)  # the step recorded before 0002


def test_0003_goes_down_and_up_over_existing_referrals(db_url: str) -> None:
    with session_scope(db_url) as s:
        add_orgs(s)
        add_referral(s, PiiCipher("x"))
    engine = get_engine(db_url)
    downgrade(db_url, "0002")  # through 0004 as well
    engine.dispose()
    schema = inspect(engine)
    assert not {"question_counts", "job_runs"} & set(schema.get_table_names())
    assert "anonymised_at" not in {c["name"] for c in schema.get_columns("referrals")}
    upgrade(db_url)
    engine.dispose()
    with session_scope(db_url) as s:
        (referral,) = s.execute(select(Referral)).scalars().all()
        assert referral.anonymised_at is None and referral.phone_last4 == "8000"


def test_a_new_revision_is_numbered_after_the_head_and_empty_when_the_models_match(
    db_url: str, tmp_path: Path
) -> None:
    """`bot db revision --autogenerate` (here into a temporary folder, never into the source tree)."""
    before = sorted(VERSIONS.iterdir())
    path = revision(db_url, "add a column", autogenerate=True, versions=tmp_path)
    assert path.parent == tmp_path and path.name == "0007_add_a_column.py"
    module = runpy.run_path(str(path))
    assert (module["revision"], module["down_revision"]) == ("0007", "0006")
    upgrade_body = (
        path.read_text(encoding="utf-8").split("def upgrade() -> None:")[1].split("def downgrade")[0]
    )
    assert "op." not in upgrade_body  # the models and the migrated schema agree: nothing to change
    assert sorted(VERSIONS.iterdir()) == before
