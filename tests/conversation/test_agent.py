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
        # the 法律依据 line names the law once, with its version, then its articles
        law = catalog.statutes.law_cited_as(cited["law"])
        assert law in texts(messages) and cited["article"] in texts(messages).split(law, 1)[1]
        assert cited["cited_as"] == law + cited["article"]


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
    steps = [
        ('/inform{"dispute_type":"neighbor"}', "location"),
        ("清城区凤城街道高基里社区", "counterparty"),
        ("楼上邻居", "description"),
        ("楼上漏水三个月了，一直不肯修，也不肯赔", "court_or_police"),
        ("/deny", "consent"),
        ("/affirm", "applicant_name"),
        ("陈女士", "phone"),
    ]
    for text, next_slot in steps:
        asked = await say(agent, sender, text)
        assert custom(asked, "ask")["slot"] == next_slot, (text, asked)
    wrong = await say(agent, sender, "12345")
    assert "号码" in texts(wrong) and custom(wrong, "ask")["slot"] == "phone"
    confirm = await say(agent, sender, "13800138000")
    summary = custom(confirm, "ask")
    assert summary["slot"] == "confirm" and summary["summary"]["phone"] == "13800138000"
    edited = await say(agent, sender, "改一下电话")
    assert custom(edited, "ask")["slot"] == "phone"
    back = await say(agent, sender, "13900001111")
    assert custom(back, "ask")["summary"]["phone"] == "13900001111"
    done = await say(agent, sender, "/affirm")
    created = custom(done, "referral_created")
    assert created["org"]["id"] == "V441802006001"
    assert created["reference"] in texts(done)
    with session_scope(stack_db) as s:
        referral = s.execute(select(Referral).where(Referral.reference == created["reference"])).scalar_one()
        assert referral.dispute_type == "neighbor" and referral.phone_last4 == "1111"
        assert referral.counterparty == "邻居（楼上）" and "漏水" in referral.description
        assert "13900001111" not in referral.phone_enc
    status = await say(agent, new_sender(), f"查询进度 {created['reference']} 1111")
    assert custom(status, "referral_status")["status"] == "submitted"
    hidden = await say(agent, new_sender(), f"查询进度 {created['reference']} 0000")
    assert custom(hidden, "referral_status") == {"kind": "referral_status", "found": False}


async def test_story_told_up_front_is_not_asked_again(agent: Any) -> None:
    sender = new_sender()
    messages = await say(agent, sender, "我在英德市浛洸镇，楼上邻居漏水三个月不肯修，想申请调解")
    assert kinds(messages)[0] == "mediation_started"
    assert custom(messages, "ask")["slot"] == "court_or_police"


async def test_already_in_court_ends_the_intake(agent: Any) -> None:
    sender = new_sender()
    await say(agent, sender, "我在英德市浛洸镇，楼上邻居漏水三个月不肯修，想申请调解")
    messages = await say(agent, sender, "/affirm")
    assert custom(messages, "cancelled")["reason"] == "already_handled"


async def test_refused_consent_ends_the_intake_with_the_public_contact(agent: Any) -> None:
    sender = new_sender()
    await say(agent, sender, "我在英德市浛洸镇，楼上邻居漏水三个月不肯修，想申请调解")
    await say(agent, sender, "/deny")
    messages = await say(agent, sender, "/deny")
    refused = custom(messages, "cancelled")
    assert refused["reason"] == "consent_refused" and refused["org"]["id"] == "T441881112"


async def test_legal_question_mid_intake_is_answered_and_the_intake_resumes(agent: Any) -> None:
    sender = new_sender()
    await say(agent, sender, "我想申请调解")
    await say(agent, sender, '/inform{"dispute_type":"neighbor"}')
    messages = await say(agent, sender, "调解要不要收费？")
    assert kinds(messages)[0] == "answer"
    assert custom(messages, "ask")["slot"] == "location"


async def test_follow_ups_on_an_answer(agent: Any, catalog: Any) -> None:
    sender = new_sender()
    first = custom(await say(agent, sender, "儿子不给我赡养费怎么办"), "answer")
    simple = await say(agent, sender, "说简单点")
    entry = next(e for e in catalog.entries if e.id == first["kb_id"])
    assert entry.simple in texts(simple)
    article = await say(agent, sender, "看法条原文")
    assert catalog.statutes.get(entry.citations[0].law, entry.citations[0].article).text in texts(article)
    other = await say(agent, sender, "不是这个意思")
    assert all(s["kb_id"] != first["kb_id"] for s in custom(other, "fallback")["suggestions"])


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
    from bot.ops.training import training_log

    log = training_log(trained_model).read_text(encoding="utf-8")
    assert "Epochs" in log  # the log is the real training output
    assert "Misaligned entity annotation" not in log
