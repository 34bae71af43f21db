"""The directory file: 1,467 organizations + 14 studios, validated rows, one-transaction import."""

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.models import Organization, Referral
from bot.db.session import session_scope
from bot.mediation.directory import DirectoryError, import_directory, read_directory, write_directory
from bot.mediation.directory_build import build_directory
from bot.mediation.disputes import DisputeTypes
from tests.paths import KNOWLEDGE

DIRECTORY = KNOWLEDGE / "orgs" / "organizations.csv"
TYPES = DisputeTypes.load(KNOWLEDGE).codes


def test_committed_directory_is_what_the_builder_makes() -> None:
    assert read_directory(DIRECTORY, TYPES) == build_directory(KNOWLEDGE)


def test_directory_counts() -> None:
    rows = read_directory(DIRECTORY, TYPES)
    kinds = [r.kind for r in rows]
    assert len(rows) - kinds.count("studio") == 1467
    assert kinds.count("studio") == 14
    assert kinds.count("village") == 1229
    assert kinds.count("town") == 85
    assert kinds.count("industry") == 133


def test_illustrative_rows_are_marked_and_have_no_phone() -> None:
    for row in read_directory(DIRECTORY, TYPES):
        assert row.phone == "", row.id
        if row.kind in ("industry", "city", "county", "stationed", "studio"):
            assert row.illustrative == 1, row.id
        else:
            assert row.illustrative == 0, row.id


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dir.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "id,name,kind,county_code,town_code,village_code,dispute_types,address,phone,capacity,illustrative\n"
GOOD = "X1,测试调解委员会,town,441802,441802006,,family,地址,,10,0\n"


@pytest.mark.parametrize(
    ("row", "line", "field"),
    [
        ("X2,名字,planet,441802,,,family,,,10,0\n", 3, "kind"),
        ("X2,名字,town,4418,,,family,,,10,0\n", 3, "county_code"),
        ("X2,名字,town,441802,,,gossip,,,10,0\n", 3, "dispute_types"),
        ("X2,名字,town,441802,,,family,,,lots,0\n", 3, "capacity"),
        ("X1,重复,town,441802,,,family,,,10,0\n", 3, "id"),
        ("X2,,town,441802,,,family,,,10,0\n", 3, "name"),
        ("X2,名字,town,441802,,,family,,,10\n", 3, "illustrative"),
    ],
)
def test_bad_row_names_line_and_field(tmp_path: Path, row: str, line: int, field: str) -> None:
    with pytest.raises(DirectoryError, match=f"line {line}, field {field}"):
        read_directory(_write(tmp_path, HEADER + GOOD + row), TYPES)


def test_import_inserts_then_updates_in_place_without_breaking_referrals(db_url: str) -> None:
    rows = read_directory(DIRECTORY, TYPES)
    with session_scope(db_url) as s:
        assert import_directory(s, rows) == (len(rows), 0)
    with session_scope(db_url) as s:
        s.add(
            Referral(
                reference="QY-20260101-0001",
                conversation_key="k",
                org_id=rows[0].id,
                dispute_type="family",
                place_text="",
                counterparty="",
                description="",
                applicant_name_enc="x",
                phone_enc="x",
                phone_last4="0000",
                consent_at=datetime.now(timezone.utc),
                channel="web",
                sender_hash="",
                status="submitted",
                route_reason="",
            )
        )
    renamed = [replace(rows[0], name="改名后的调解委员会", capacity=99), *rows[1:]]
    with session_scope(db_url) as s:
        assert import_directory(s, renamed) == (0, len(rows))
    with session_scope(db_url) as s:
        org = s.get(Organization, rows[0].id)
        assert org is not None and org.name == "改名后的调解委员会" and org.capacity == 99
        assert s.execute(select(func.count()).select_from(Organization)).scalar_one() == len(rows)
        referral = s.execute(select(Referral)).scalar_one()
        assert referral.org_id == rows[0].id


def test_a_bad_file_imports_nothing(tmp_path: Path, db_url: str) -> None:
    from bot.cli import main

    rows = read_directory(DIRECTORY, TYPES)[:5]
    path = tmp_path / "dir.csv"
    write_directory(path, rows)
    path.write_text(
        path.read_text(encoding="utf-8") + "BAD,名字,planet,441802,,,family,,,10,0\n", encoding="utf-8"
    )
    assert main(["orgs", "import", str(path)]) == 2
    with session_scope(db_url) as s:
        assert s.execute(select(func.count()).select_from(Organization)).scalar_one() == 0
