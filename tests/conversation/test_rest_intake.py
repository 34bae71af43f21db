"""The mediation intake through the real REST endpoint: every dispute type, corrections and unhappy paths."""

import uuid
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.db.models import Referral
from bot.db.session import session_scope

pytestmark = [pytest.mark.model, pytest.mark.server]


class Chat:
    """One citizen talking to the REST channel."""

    def __init__(self, base: str):
        self.url = f"{base}/webhooks/rest/webhook"
        self.sender = uuid.uuid4().hex

    def say(self, text: str) -> list[dict[str, Any]]:
        reply = requests.post(self.url, json={"sender": self.sender, "message": text}, timeout=60)
        reply.raise_for_status()
        return list(reply.json())


def payload(messages: list[dict], kind: str) -> dict:
    found = [
        m["custom"] for m in messages if isinstance(m.get("custom"), dict) and m["custom"].get("kind") == kind
    ]
    assert found, (kind, messages)
    return found[0]


def asked(messages: list[dict]) -> str:
    return payload(messages, "ask")["slot"]


COUNTERPARTY = {
    "family": "老公",
    "neighbor": "邻居",
    "debt": "朋友",
    "personal_injury": "邻居",
    "other": "同村",
}
COUNTERPARTY |= {
    "land_forest": "同村",
    "labor": "老板",
    "traffic": "司机",
    "medical": "医院",
    "consumer": "商家",
}
COUNTERPARTY |= {"property": "物业"}


def run_intake(chat: Chat, dispute: str, place: str) -> dict:
    assert asked(chat.say("我想申请调解")) == "dispute_type"
    answers = [
        (f'/inform{{"dispute_type":"{dispute}"}}', "location"),
        (place, "counterparty"),
        (COUNTERPARTY[dispute], "description"),
        ("事情拖了三个月，一直谈不拢，想请人出面说和", "court_or_police"),
        ("/deny", "consent"),
        ("/affirm", "applicant_name"),
        ("陈女士", "phone"),
        ("13800138000", "confirm"),
    ]
    for text, next_slot in answers:
        assert asked(chat.say(text)) == next_slot, (dispute, text)
    return payload(chat.say("/affirm"), "referral_created")


@pytest.mark.parametrize(
    ("dispute", "org_id"),
    [
        ("family", "V441802006001"),
        ("neighbor", "V441802006001"),
        ("debt", "V441802006001"),
        ("personal_injury", "V441802006001"),
        ("other", "V441802006001"),
        ("land_forest", "T441802006"),
        ("labor", "I-441802-labor"),
        ("traffic", "I-441802-traffic"),
        ("medical", "I-441802-medical"),
        ("consumer", "I-441802-consumer"),
        ("property", "I-441802-property"),
    ],
)
def test_happy_path_for_each_dispute_type(rasa_server: str, stack_db: str, dispute: str, org_id: str) -> None:
    created = run_intake(Chat(rasa_server), dispute, "清城区凤城街道高基里社区")
    assert created["org"]["id"] == org_id and created["reason"]
    with session_scope(stack_db) as s:
        referral = s.execute(select(Referral).where(Referral.reference == created["reference"])).scalar_one()
        assert (referral.dispute_type, referral.org_id, referral.status) == (dispute, org_id, "submitted")


def test_unknown_then_ambiguous_place(rasa_server: str) -> None:
    chat = Chat(rasa_server)
    chat.say("我想申请调解")
    chat.say('/inform{"dispute_type":"family"}')
    unknown = chat.say("火星基地")
    assert asked(unknown) == "location" and any("火星基地" in m.get("text", "") for m in unknown)
    ambiguous = chat.say("田心村")
    choices = [b["payload"] for m in ambiguous for b in m.get("buttons", [])]
    assert len(choices) > 1 and asked(ambiguous) == "location"
    assert asked(chat.say(choices[0])) == "counterparty"


def test_invalid_phone_is_asked_again(rasa_server: str) -> None:
    chat = Chat(rasa_server)
    chat.say("我在英德市浛洸镇，楼上邻居漏水三个月不肯修，想申请调解")
    chat.say("/deny")
    chat.say("/affirm")
    assert asked(chat.say("陈女士")) == "phone"
    again = chat.say("138001380")
    assert asked(again) == "phone" and any("号码" in m.get("text", "") for m in again)


def test_status_with_wrong_digits_reveals_nothing(rasa_server: str) -> None:
    created = run_intake(Chat(rasa_server), "neighbor", "清城区凤城街道高基里社区")
    other = Chat(rasa_server)
    hidden = other.say(f"查询进度 {created['reference']} 0000")
    assert payload(hidden, "referral_status") == {"kind": "referral_status", "found": False}
    text = " ".join(m.get("text", "") for m in hidden)
    assert "高基里" not in text and "8000" not in text
    shown = other.say(f"查询进度 {created['reference']} 8000")
    assert payload(shown, "referral_status")["org"]["id"] == created["org"]["id"]
