"""Small builders for referral tests: two organizations and a referral, without importing the directory."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from bot.db.models import Organization, Referral
from bot.privacy import PiiCipher
from bot.referrals import Intake, create_referral

ORG_A, ORG_B, ORG_C = "T-A", "T-B", "T-C"
NAMES = {ORG_A: "甲镇人民调解委员会", ORG_B: "乙镇人民调解委员会", ORG_C: "丙村人民调解委员会"}
T0 = datetime(2026, 11, 29, 8, 0, tzinfo=timezone.utc)


def add_orgs(session: Session) -> None:
    for org_id, name in NAMES.items():
        session.add(Organization(id=org_id, name=name, kind="town", capacity=10))
    session.flush()


def add_referral(
    session: Session,
    cipher: PiiCipher,
    key: str = "conv-1",
    org_id: str = ORG_A,
    channel: str = "wechat",
    sender: str = "",
    now: datetime = T0,
) -> Referral:
    intake = Intake(
        key,
        "neighbor",
        None,
        None,
        None,
        "甲镇",
        "邻居",
        "楼上漏水",
        "王小明",
        "13800138000",
        channel,
        sender,
    )
    referral, _ = create_referral(session, intake, org_id, "路由原因", cipher, now)
    return referral
