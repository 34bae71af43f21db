"""Referrals: readable unique references, idempotent submission, encrypted contact details, history."""

from datetime import datetime, timezone

from sqlalchemy import func, select

from bot.db.models import Referral, ReferralEvent
from bot.db.session import session_scope
from bot.mediation.referrals import Application, create_referral
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


def test_reference_numbers_are_daily_sequences(directory_db: str) -> None:
    now = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
    with session_scope(directory_db) as s:
        first, created = create_referral(s, _intake("a"), "V441802006001", "原因", CIPHER, now)
        second, _ = create_referral(s, _intake("b"), "V441802006001", "原因", CIPHER, now)
        assert created
        assert (first.reference, second.reference) == ("QY-20261129-0001", "QY-20261129-0002")
        tomorrow, _ = create_referral(
            s, _intake("c"), "V441802006001", "原因", CIPHER, datetime(2026, 11, 30)
        )
        assert tomorrow.reference == "QY-20261130-0001"


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
