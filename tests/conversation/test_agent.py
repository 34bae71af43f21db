"""Conversations through the trained model and the real action server (the vertical slice)."""

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import Referral
from bot.db.session import session_scope

pytestmark = pytest.mark.model


async def say(agent: Any, sender: str, text: str) -> list[dict]:
    return await agent.handle_text(text, sender_id=sender)


def kinds(messages: list[dict]) -> list[str]:
    return [
        m["custom"]["kind"] for m in messages if isinstance(m.get("custom"), dict) and "kind" in m["custom"]
    ]


def custom(messages: list[dict], kind: str) -> dict:
    return next(
        m["custom"] for m in messages if isinstance(m.get("custom"), dict) and m["custom"].get("kind") == kind
    )


def texts(messages: list[dict]) -> str:
    """Rasa splits a text at blank lines into several messages; this joins one reply back together."""
    return "\n".join(m["text"] for m in messages if m.get("text"))


def new_sender() -> str:
    return uuid.uuid4().hex


async def test_greeting_explains_privacy_and_offers_audiences(agent: Any) -> None:
    messages = await say(agent, new_sender(), "你好")
    text = texts(messages)
    assert "人民调解" in text and "隐私" in text
    buttons = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert '/choose_audience{"audience":"elderly"}' in buttons and len(buttons) == 3


@pytest.mark.parametrize(
    ("audience", "question", "topic"),
    [
        ("youth", "同学天天在班上欺负我，还抢我东西，怎么办", "school_bullying"),
        ("elderly", "儿子不给我赡养费，我该怎么办", "elder_support"),
        ("general", "邻居家楼上漏水把我家泡坏了，不肯赔怎么办", "neighbor"),
    ],
)
async def test_one_question_per_audience_is_answered_with_citations(
    agent: Any, catalog: Any, audience: str, question: str, topic: str
) -> None:
    sender = new_sender()
    await say(agent, sender, f'/choose_audience{{"audience":"{audience}"}}')
    messages = await say(agent, sender, question)
    answer = custom(messages, "answer")
    assert answer["audience"] == audience
    assert answer["topic"] == topic
    assert answer["citations"]
    for cited in answer["citations"]:
        assert catalog.statutes.get(cited["law"], cited["article"]).text == cited["text"]
        assert f"《{cited['law']}》{cited['article']}" in texts(messages)


async def test_first_message_question_is_answered_at_once(agent: Any) -> None:
    messages = await say(agent, new_sender(), "我今年72了，儿子不给赡养费怎么办")
    assert custom(messages, "answer")["audience"] == "elderly"


async def test_emergency_comes_first(agent: Any) -> None:
    messages = await say(agent, new_sender(), "他现在拿着刀在砸门，我好怕")
    assert kinds(messages)[0] == "emergency"
    assert "110" in messages[0]["text"]


async def test_out_of_scope_is_refused_honestly(agent: Any) -> None:
    messages = await say(agent, new_sender(), "公司股权怎么转让")
    assert kinds(messages) == ["out_of_scope"]
    assert "12348" in messages[0]["text"]


async def test_mediation_intake_creates_a_referral(agent: Any, stack_db: str) -> None:
    sender = new_sender()
    started = await say(agent, sender, "我想申请调解")
    assert kinds(started)[:2] == ["mediation_started", "ask"]
    assert custom(started, "ask")["slot"] == "dispute_type"
    asked = await say(agent, sender, '/inform{"dispute_type":"neighbor"}')
    assert custom(asked, "ask")["slot"] == "location"
    asked = await say(agent, sender, "清城区凤城街道高基里社区")
    assert custom(asked, "ask")["slot"] == "consent"
    asked = await say(agent, sender, "/affirm")
    assert custom(asked, "ask")["slot"] == "phone"
    wrong = await say(agent, sender, "12345")
    assert "号码" in wrong[0]["text"] and custom(wrong, "ask")["slot"] == "phone"
    done = await say(agent, sender, "13800138000")
    created = custom(done, "referral_created")
    assert created["org"]["id"] == "V441802006001"
    assert created["reference"] in done[0]["text"]
    with session_scope(stack_db) as s:
        referral = s.execute(select(Referral).where(Referral.reference == created["reference"])).scalar_one()
        assert referral.dispute_type == "neighbor" and referral.phone_last4 == "8000"
        assert "13800138000" not in referral.phone_enc


async def test_place_and_type_told_up_front_are_not_asked_again(agent: Any) -> None:
    sender = new_sender()
    messages = await say(agent, sender, "我在英德市浛洸镇，和邻居闹矛盾了，想申请调解")
    assert kinds(messages)[0] == "mediation_started"
    assert custom(messages, "ask")["slot"] == "consent"


async def test_cancel_during_intake(agent: Any) -> None:
    sender = new_sender()
    await say(agent, sender, "我想申请调解")
    messages = await say(agent, sender, "算了，不调了")
    assert kinds(messages) == ["cancelled"]


async def test_emergency_jumps_out_of_the_intake(agent: Any) -> None:
    sender = new_sender()
    await say(agent, sender, "我想申请调解")
    messages = await say(agent, sender, "救命，他正在打我")
    assert kinds(messages)[0] == "emergency"
    after = await say(agent, sender, "你好")
    assert "ask" not in kinds(after) or custom(after, "ask")["slot"] == "audience"


def test_training_output_has_no_misaligned_entities(trained_model: Any) -> None:
    from bot.training import training_log

    log = training_log(trained_model).read_text(encoding="utf-8")
    assert "Epochs" in log  # the log is the real training output
    assert "Misaligned entity annotation" not in log
