"""`bot retention run`: what is kept and what is gone (personal fields of long-closed referrals, old question-log
rows, idle WeChat contacts), that a dry run changes nothing, and that a second run finds nothing more."""

from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import services
from bot.cli import main
from bot.db.models import QaLog, QuestionCount, Referral, ReferralEvent, WeChatContact
from bot.db.session import session_scope
from bot.mediation.workflow import change_status
from bot.privacy import PiiCipher
from bot.retention import ANONYMOUS, apply_retention, final_statuses, months_before, run_retention
from bot.settings import get_settings
from tests.mediation.referral_factory import add_orgs, add_referral

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=timezone.utc)  # referral cutoff 2024-12-08, questions 2025-12-08
STATISTICS = (
    "id", "reference", "org_id", "dispute_type", "county_code", "town_code", "village_code", "channel", "status",
    "route_reason", "created_at", "updated_at", "consent_at",
)  # fmt: skip


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _walk(session: Session, referral: Referral, steps: list[tuple[str, str, str]]) -> None:
    statuses = services.catalog().statuses
    for status, when, note in steps:
        change_status(session, statuses, referral, status, "mediator_a", note, at(when))


@pytest.fixture
def data(db_url: str) -> dict[str, str]:
    """Referrals closed long ago, closed recently, open for long; question-log rows and WeChat contacts."""
    cipher = PiiCipher(get_settings().secret_key)
    with session_scope(db_url) as s:
        add_orgs(s)
        old = add_referral(s, cipher, "k-old", sender="s-old", now=at("2024-01-10T09:00"))
        _walk(s, old, [("accepted", "2024-01-11", "已电话联系王小明"), ("in_mediation", "2024-01-12", "")])
        _walk(s, old, [("resolved", "2024-02-01", "王小明与邻居签了协议，电话13800138000")])
        declined = add_referral(s, cipher, "k-declined", channel="web", now=at("2024-03-01T09:00"))
        _walk(s, declined, [("declined", "2024-03-02", "不属于受理范围")])
        recent = add_referral(s, cipher, "k-recent", sender="s-recent", now=at("2024-01-01T09:00"))
        _walk(s, recent, [("accepted", "2024-01-02", ""), ("in_mediation", "2024-01-03", "")])
        _walk(s, recent, [("unresolved", "2025-06-01", "双方意见分歧")])  # closed 18 months ago
        open_ = add_referral(s, cipher, "k-open", sender="s-open", now=at("2023-01-01T09:00"))
        _walk(s, open_, [("accepted", "2023-01-02", "")])  # still open, however old
        for when, topic in [
            ("2025-11-15T08:00", "wages"), ("2025-11-20T08:00", "wages"), ("2025-12-01T08:00", None),
            ("2026-01-01T08:00", "wages"), ("2026-12-01T08:00", "divorce"),
        ]:  # fmt: skip
            s.add(QaLog(created_at=at(when), kind="answer", topic=topic, question_masked=f"问题 {when}"))
        for sender, last in [("s-old", "2024-02-01"), ("s-open", "2023-01-02"), ("s-new", "2026-11-01")]:
            s.add(
                WeChatContact(
                    sender_hash=sender,
                    openid_enc=cipher.encrypt(f"openid-{sender}"),
                    last_inbound_at=at(last),
                )
            )
        refs = {
            "old": old.reference,
            "declined": declined.reference,
            "recent": recent.reference,
            "open": open_.reference,
        }
    return refs


def dump(db_url: str) -> dict[str, list[tuple]]:
    """Every row of the tables retention touches, every column."""
    tables = {}
    with session_scope(db_url) as s:
        for model in (Referral, ReferralEvent, QaLog, WeChatContact, QuestionCount):
            columns = [c.name for c in model.__table__.columns]
            key = model.__table__.primary_key.columns.values()[0]
            tables[model.__tablename__] = [
                tuple(getattr(o, c) for c in columns)
                for o in s.execute(select(model).order_by(key)).scalars()
            ]
    return tables


def _referral(db_url: str, reference: str) -> tuple[Referral, list[tuple]]:
    with session_scope(db_url) as s:
        r = s.execute(select(Referral).where(Referral.reference == reference)).scalar_one()
        return r, [(e.status, e.org_id, e.actor, e.created_at, e.note) for e in r.events]


def _run(db_url: str, dry_run: bool = False):
    with session_scope(db_url) as s:
        return apply_retention(s, services.catalog().statuses, NOW, 24, 12, dry_run)


def test_months_before_and_final_statuses() -> None:
    assert months_before(at("2026-12-08T12:00"), 24) == at("2024-12-08T12:00")
    assert months_before(at("2026-03-31T00:00"), 1) == at("2026-02-28T00:00")
    assert months_before(at("2026-01-15T00:00"), 13) == at("2024-12-15T00:00")
    assert set(final_statuses(services.catalog().statuses)) == {
        "resolved",
        "unresolved",
        "declined",
        "withdrawn",
    }


def test_personal_data_of_long_closed_referrals_goes_and_statistics_stay(db_url: str, data: dict) -> None:
    before = dump(db_url)
    kept = {name: _referral(db_url, data[name]) for name in ("recent", "open")}
    old_before, old_history = _referral(db_url, data["old"])

    report = _run(db_url)
    assert (report.referrals_anonymised, report.questions_deleted, report.contacts_deleted) == (2, 3, 1)
    assert report.event_notes_cleared == 5  # the two route reasons, three mediators' notes

    cipher = PiiCipher(get_settings().secret_key)
    for name in ("old", "declined"):
        referral, history = _referral(db_url, data[name])
        assert referral.anonymised_at is not None
        assert {field: getattr(referral, field) for field in ANONYMOUS} == dict.fromkeys(ANONYMOUS, "")
        assert referral.conversation_key == f"anonymised-{referral.id}"
        for token in (referral.applicant_name_enc, referral.phone_enc):
            with pytest.raises(InvalidToken):
                cipher.decrypt(token)
        assert all(note == "" for *_, note in history)
    old_after, history_after = _referral(db_url, data["old"])
    for field in STATISTICS:
        assert getattr(old_after, field) == getattr(old_before, field), field
    assert [step[:4] for step in history_after] == [step[:4] for step in old_history]  # the steps, no notes

    for name, (referral, history) in kept.items():
        after, history_now = _referral(db_url, data[name])
        assert after.anonymised_at is None and cipher.decrypt(after.phone_enc) == "13800138000"
        assert {c.name: getattr(after, c.name) for c in Referral.__table__.columns} == {
            c.name: getattr(referral, c.name) for c in Referral.__table__.columns
        }
        assert history_now == history

    with session_scope(db_url) as s:
        left = [
            q.created_at.replace(tzinfo=None) for q in s.execute(select(QaLog).order_by(QaLog.id)).scalars()
        ]
        counts = {(c.month, c.kind, c.topic): c.count for c in s.execute(select(QuestionCount)).scalars()}
        contacts = set(s.execute(select(WeChatContact.sender_hash)).scalars())
    assert left == [datetime(2026, 1, 1, 8), datetime(2026, 12, 1, 8)]
    assert counts == {("2025-11", "answer", "wages"): 2, ("2025-12", "answer", ""): 1}
    assert contacts == {"s-open", "s-new"}  # s-old's only referral is anonymised; s-open's is still open
    assert len(dump(db_url)["referral_events"]) == len(before["referral_events"])


def test_dry_run_changes_nothing_and_counts_the_same(db_url: str, data: dict) -> None:
    before = dump(db_url)
    dry = _run(db_url, dry_run=True)
    assert dump(db_url) == before
    real = _run(db_url)
    assert (dry.referrals_anonymised, dry.event_notes_cleared, dry.questions_deleted, dry.contacts_deleted) == (
        real.referrals_anonymised, real.event_notes_cleared, real.questions_deleted, real.contacts_deleted,
    )  # fmt: skip
    assert dry.dry_run and not real.dry_run


def test_a_second_run_finds_nothing_and_counts_are_not_doubled(db_url: str, data: dict) -> None:
    _run(db_url)
    after_first = dump(db_url)
    again = _run(db_url)
    assert (again.referrals_anonymised, again.questions_deleted, again.contacts_deleted) == (0, 0, 0)
    assert dump(db_url) == after_first


def test_the_sqlite_file_keeps_no_copy_of_removed_ciphertexts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """secure_delete and a checkpoint: the old bytes are overwritten, not left in free pages or the WAL."""
    from bot.db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'q.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    upgrade(url)
    cipher = PiiCipher(get_settings().secret_key)
    with session_scope(url) as s:
        add_orgs(s)
        r = add_referral(s, cipher, "k", now=at("2020-01-01T00:00"))
        _walk(s, r, [("withdrawn", "2020-01-02", "")])
        secret = str(r.phone_enc).encode()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("q.db*"))
    assert secret in raw
    report = run_retention(get_settings(), NOW)
    assert report.referrals_anonymised == 1
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("q.db*"))
    assert secret not in raw
    get_settings.cache_clear()


def test_cli_prints_counts_and_dry_run_says_so(
    db_url: str, data: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the real clock: the dry run changes nothing and announces exactly what the real run then does."""
    before = dump(db_url)
    assert main(["retention", "run", "--dry-run"]) == 0
    dry = capsys.readouterr().out.splitlines()
    assert "(dry run: nothing changed)" in dry[0] and "24 months" in dry[0] and "12 months" in dry[0]
    assert dump(db_url) == before
    assert main(["retention", "run"]) == 0
    real = capsys.readouterr().out.splitlines()
    assert [line.replace("would be", "were") for line in dry[1:]] == real[1:]
    assert "closed referrals were stripped of personal data" in real[1]
