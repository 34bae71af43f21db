"""Builders for referral tests: applications with overridable fields, stored referrals, two small organizations."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import Organization, Referral
from bot.db.session import session_scope
from bot.mediation.referrals import Application, create_referral
from bot.privacy import PiiCipher
from bot.settings import get_settings

ORG_A, ORG_B, ORG_C = "T-A", "T-B", "T-C"
NAMES = {ORG_A: "甲镇人民调解委员会", ORG_B: "乙镇人民调解委员会", ORG_C: "丙村人民调解委员会"}
T0 = datetime(2026, 11, 29, 8, 0, tzinfo=timezone.utc)
PHONE = "13800138000"


def application(key: str = "conv-1", **fields: Any) -> Application:
    """A neighbour dispute in 凤城街道 from 王小明, with any field overridden."""
    defaults: dict[str, Any] = {
        "dispute_type": "neighbor",
        "county_code": "441802",
        "town_code": "441802006",
        "village_code": None,
        "place_text": "凤城街道",
        "counterparty": "邻居",
        "description": "楼上漏水",
        "applicant_name": "王小明",
        "phone": PHONE,
        "channel": "web",
        "sender_hash": "h",
    }
    return Application(conversation_key=key, **{**defaults, **fields})


def store_referral(db_url: str, key: str, org_id: str, **fields: Any) -> str:
    """Store one referral (contacts encrypted with the settings' secret) and return its reference."""
    with session_scope(db_url) as s:
        cipher = PiiCipher.from_settings(get_settings())  # as the actions do
        referral, _ = create_referral(s, application(key, **fields), org_id, "原因", cipher)
        return str(referral.reference)


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
    """A referral of one of the small organizations (no directory needed)."""
    fields = {
        "county_code": None,
        "town_code": None,
        "place_text": "甲镇",
        "channel": channel,
        "sender_hash": sender,
    }
    referral, _ = create_referral(session, application(key, **fields), org_id, "路由原因", cipher, now)
    return referral
