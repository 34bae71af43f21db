"""Referrals: readable unique references, idempotent submission, encrypted contact details, history."""

import re
from datetime import datetime, timezone

from sqlalchemy import func, select

from bot.db.models import Referral, ReferralEvent
from bot.db.session import session_scope
from bot.mediation import referrals
from bot.mediation.intake import parse_status_query
from bot.mediation.referrals import Application, create_referral, find_for_status
from bot.privacy import PiiCipher
from tests.mediation.referral_factory import application

CIPHER = PiiCipher("test")


def _intake(key: str = "conv-1") -> Application:
    return application(
        key,
        village_code="441802006001",
        place_text="清城区凤城街道高基里社区",
        description="楼上漏水不肯修",
        sender_hash="abc",
    )


def test_references_are_random_and_carry_the_day(directory_db: str) -> None:
    now = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
    with session_scope(directory_db) as s:
        first, created = create_referral(s, _intake("a"), "V441802006001", "原因", CIPHER, now)
        second, _ = create_referral(s, _intake("b"), "V441802006001", "原因", CIPHER, now)
        assert created
        for reference in (first.reference, second.reference):
            assert re.fullmatch(r"QY-261129-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", reference)
        assert first.reference != second.reference


def test_a_reference_already_taken_is_drawn_again(directory_db: str, monkeypatch) -> None:
    drawn = iter(["QY-261129-AAAA-AAAA", "QY-261129-AAAA-AAAA", "QY-261129-BBBB-BBBB"])
    monkeypatch.setattr(referrals, "new_reference", lambda now: next(drawn))
    with session_scope(directory_db) as s:
        first, _ = create_referral(s, _intake("a"), "V441802006001", "原因", CIPHER)
        second, _ = create_referral(s, _intake("b"), "V441802006001", "原因", CIPHER)
        assert (first.reference, second.reference) == ("QY-261129-AAAA-AAAA", "QY-261129-BBBB-BBBB")


def test_status_lookup_finds_new_and_old_references_only_with_the_key(directory_db: str) -> None:
    with session_scope(directory_db) as s:
        new, _ = create_referral(s, _intake("a"), "V441802006001", "原因", CIPHER)
        old, _ = create_referral(s, _intake("b"), "V441802006001", "原因", CIPHER)
        old.reference = "QY-20261129-0001"  # made before references were random
    with session_scope(directory_db) as s:
        for typed, reference in (
            (new.reference.lower().replace("-", " "), new.reference),
            ("qy20261129 0001", old.reference),
        ):
            parsed, _ = parse_status_query(f"查询进度 {typed} 8000")
            assert parsed == reference
            assert find_for_status(s, parsed, "8000").reference == reference
            assert find_for_status(s, parsed, "8001") is None


def test_resubmitting_the_same_conversation_creates_nothing(directory_db: str) -> None:
    with session_scope(directory_db) as s:
        first, created = create_referral(s, _intake(), "V441802006001", "原因", CIPHER)
    with session_scope(directory_db) as s:
        again, created_again = create_referral(s, _intake(), "V441802006001", "原因", CIPHER)
        assert (created, created_again) == (True, False)
        assert again.reference == first.reference
        assert s.execute(select(func.count()).select_from(Referral)).scalar_one() == 1


def test_contact_details_are_encrypted_and_history_starts(directory_db: str) -> None:
    with session_scope(directory_db) as s:
        referral, _ = create_referral(s, _intake(), "V441802006001", "原因", CIPHER)
        assert "13800138000" not in referral.phone_enc and "王小明" not in referral.applicant_name_enc
        assert CIPHER.decrypt(referral.phone_enc) == "13800138000"
        assert referral.phone_last4 == "8000"
        events = s.execute(select(ReferralEvent)).scalars().all()
        assert [(e.status, e.referral_id) for e in events] == [("submitted", referral.id)]


def test_failure_leaves_nothing_half_written(directory_db: str) -> None:
    try:
        with session_scope(directory_db) as s:
            create_referral(s, _intake(), "V441802006001", "原因", CIPHER)
            raise RuntimeError("crash after the insert, before commit")
    except RuntimeError:
        pass
    with session_scope(directory_db) as s:
        assert s.execute(select(func.count()).select_from(Referral)).scalar_one() == 0
        assert s.execute(select(func.count()).select_from(ReferralEvent)).scalar_one() == 0
