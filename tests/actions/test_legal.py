"""Legal actions: answers cite real articles, unknowns are clarified, out-of-scope and emergencies handled."""

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.common import flush_log
from actions.legal import ActionAnswerLegal, ActionClarify, ActionEmergency, ActionOutOfScope
from bot import services
from bot.db.models import QaLog
from bot.db.session import session_scope
from bot.legal import decisions
from tests.actions.helpers import payloads, responses, slot, tracker


async def test_answer_cites_real_articles_and_logs_masked(db_url: str, catalog) -> None:
    entry = next(e for e in catalog.entries if e.topic == "elder_support" and "elderly" in e.audiences)
    dispatcher = CollectingDispatcher()
    question = entry.question + " 我叫王小明 电话13800138000"
    events = await ActionAnswerLegal().run(dispatcher, tracker(question, slots={"audience": "elderly"}), {})
    assert responses(dispatcher)[0] == "utter_legal_answer"
    payload = payloads(dispatcher)[0]
    assert (
        payload["kind"] == "answer"
        and payload["topic"] == "elder_support"
        and payload["audience"] == "elderly"
    )
    for cited in payload["citations"]:
        assert catalog.statutes.get(cited["law"], cited["article"]).text == cited["text"]
    assert events == [slot("last_kb_id", payload["kb_id"]), slot("last_question", question)]
    flush_log()  # the log is written off the reply's path
    with session_scope(db_url) as s:
        row = s.execute(select(QaLog)).scalar_one()
        assert row.kind == "answer" and row.kb_id == payload["kb_id"]
        assert "13800138000" not in row.question_masked and "王小明" not in row.question_masked


async def test_answer_infers_the_audience_from_the_message(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    question = "我今年72了，儿子不给我生活费怎么办"
    events = await ActionAnswerLegal().run(dispatcher, tracker(question), {})
    payload = payloads(dispatcher)[0]
    assert payload["audience"] == "elderly"
    assert events == [
        slot("last_kb_id", payload["kb_id"]),
        slot("last_question", question),
        slot("audience", "elderly"),
    ]


async def test_offer_mediation_follows_entries_that_ask_for_it(db_url: str, catalog) -> None:
    entry = next(e for e in catalog.entries if e.offer_mediation)
    dispatcher = CollectingDispatcher()
    await ActionAnswerLegal().run(
        dispatcher, tracker("", entities=[{"entity": "kb_id", "value": entry.id}]), {}
    )
    assert responses(dispatcher) == ["utter_legal_answer", "utter_offer_mediation"]
    assert payloads(dispatcher)[0]["offer_mediation"] is True


@pytest.mark.parametrize("text", ["🙂🙂🙂", "<script>alert(1)</script>", "x" * 50])
async def test_not_understood_is_clarified_with_buttons(db_url: str, text: str) -> None:
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerLegal().run(dispatcher, tracker(text), {}) == []
    assert responses(dispatcher) == ["utter_clarify"]
    assert payloads(dispatcher)[0]["kind"] == "fallback"


async def test_a_question_nothing_answers_gets_an_honest_referral_with_suggestions(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerLegal().run(dispatcher, tracker("境外上市VIE架构备案"), {})
    assert responses(dispatcher) == ["utter_no_entry"]
    payload = payloads(dispatcher)[0]
    assert payload["kind"] == "out_of_scope" and payload["reason"] == "no_entry"
    assert payload["next_steps"] == ["hotline_12348", "legal_aid"]
    assert len(dispatcher.messages[0]["buttons"]) == len(payload["suggestions"]) <= 3


async def test_a_form_answer_outside_the_intake_is_answered_or_clarified(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerLegal().run(dispatcher, tracker("老板拖欠工资三个月不发怎么办", intent="inform"), {})
    assert payloads(dispatcher)[0]["kind"] == "answer" and payloads(dispatcher)[0]["topic"] == "labor"
    dispatcher = CollectingDispatcher()
    await ActionAnswerLegal().run(dispatcher, tracker("境外上市VIE架构备案", intent="inform"), {})
    assert responses(dispatcher) == ["utter_clarify"]  # not an honest "no entry": it may not be a question


async def test_clarify_buttons_point_at_entries(db_url: str, catalog) -> None:
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker("赡养老人的事"), {})
    buttons = dispatcher.messages[0]["buttons"]
    ids = {e.id for e in catalog.entries}
    assert 1 <= len(buttons) <= 3
    assert all(b["payload"].startswith("/ask_legal{") and b["payload"].split('"')[3] in ids for b in buttons)


async def test_a_sentence_near_nothing_is_not_clarified_but_referred(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker("境外上市VIE架构备案", intent="nlu_fallback"), {})
    assert responses(dispatcher) == ["utter_no_entry"]
    assert payloads(dispatcher)[0]["kind"] == "out_of_scope"


async def test_a_stored_question_called_out_of_scope_is_answered(db_url: str, catalog) -> None:
    entry = next(e for e in catalog.entries if e.topic == "labor")
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(dispatcher, tracker(entry.question, intent="out_of_scope"), {})
    assert payloads(dispatcher)[0]["kind"] == "answer" and payloads(dispatcher)[0]["topic"] == "labor"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("老板拖了我三个月工资一直不给，我该去哪里投诉", "labor"),
        ("邻居家的狗天天半夜叫，吵得老人睡不着，可以怎么处理", "neighbor"),
    ],
)
async def test_a_loose_match_called_out_of_scope_is_answered_when_surely_in_scope(
    db_url: str, text: str, topic: str
) -> None:
    """The model's out_of_scope is overruled when the scope classifier is sure the knowledge base covers it."""
    assert services.retriever().outside_probability(text) < decisions.IN_SCOPE_SURE
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(dispatcher, tracker(text, intent="out_of_scope"), {})
    assert payloads(dispatcher)[0]["kind"] == "answer" and payloads(dispatcher)[0]["topic"] == topic


async def test_a_loose_match_the_scope_classifier_doubts_keeps_the_referral(db_url: str) -> None:
    text = "朋友开公司让我做法人代表，会有什么风险"
    assert services.retriever().outside_probability(text) >= decisions.IN_SCOPE_SURE
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(dispatcher, tracker(text, intent="out_of_scope"), {})
    assert responses(dispatcher) == ["utter_out_of_scope"]


async def test_an_out_of_scope_subject_is_referred_even_near_a_stored_question(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(
        dispatcher, tracker("公司拒绝给我期权，我能申请劳动仲裁吗", intent="out_of_scope"), {}
    )
    assert responses(dispatcher) == ["utter_out_of_scope"]


async def test_out_of_scope_points_to_12348_and_legal_aid(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(dispatcher, tracker("公司股权怎么转让", intent="out_of_scope"), {})
    assert responses(dispatcher) == ["utter_out_of_scope"]
    assert payloads(dispatcher) == [{"kind": "out_of_scope", "next_steps": ["hotline_12348", "legal_aid"]}]


@pytest.mark.parametrize(
    ("category", "response"),
    [
        ("violence", "utter_emergency_violence"),
        ("suicide", "utter_emergency_suicide"),
        (None, "utter_emergency_violence"),
    ],
)
async def test_emergency(db_url: str, category: str | None, response: str) -> None:
    entities = [{"entity": "emergency_type", "value": category}] if category else []
    dispatcher = CollectingDispatcher()
    events = await ActionEmergency().run(
        dispatcher, tracker("救命", intent="emergency", entities=entities), {}
    )
    assert responses(dispatcher) == [response]
    assert payloads(dispatcher)[0]["kind"] == "emergency"
    assert events == []  # "救命" alone is no legal question: nothing to answer after the numbers


async def test_emergency_first_then_the_answer_when_it_is_clearly_a_question(db_url: str) -> None:
    entities = [{"entity": "emergency_type", "value": "violence"}]
    dispatcher = CollectingDispatcher()
    text = "他又话要打死我，算唔算家暴"
    events = await ActionEmergency().run(dispatcher, tracker(text, intent="emergency", entities=entities), {})
    kinds = [p["kind"] for p in payloads(dispatcher)]
    assert kinds[0] == "emergency" and "answer" in kinds
    assert payloads(dispatcher)[1]["topic"] == "domestic_violence"
    assert events == [slot("last_kb_id", payloads(dispatcher)[1]["kb_id"]), slot("last_question", text)]


async def test_fire_gets_119(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "emergency_type", "value": "fire"}]
    await ActionEmergency().run(dispatcher, tracker("着火了", intent="emergency", entities=entities), {})
    assert responses(dispatcher)[0] == "utter_emergency_fire"
    assert payloads(dispatcher)[0] == {"kind": "emergency", "category": "fire", "call": ["119", "120"]}


@pytest.mark.parametrize("text", ["被骗了，我转了两千怎么办", "网上认识的人叫我投资，我转了五万给他怎么办"])
async def test_money_just_sent_to_a_scammer_gets_the_police_and_the_bank_first(
    db_url: str, text: str
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerLegal().run(dispatcher, tracker(text, slots={"audience": "elderly"}), {})
    assert [p["kind"] for p in payloads(dispatcher)] == ["emergency", "answer"]
    assert responses(dispatcher)[0] == "utter_emergency_scam_transfer"
    assert payloads(dispatcher)[0]["call"] == ["110", "96110"]
    assert payloads(dispatcher)[1]["topic"] in ("telecom_fraud", "elder_fraud")


async def test_a_past_transfer_is_answered_without_the_emergency_reply(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerLegal().run(dispatcher, tracker("上个月被骗转了两千能追回吗"), {})
    assert "utter_emergency_scam_transfer" not in responses(dispatcher)


async def test_a_loose_match_says_which_question_it_answers(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    story = "我和老公结婚五年了，他在外面打工一年才回来一次，家里的事都是我管，现在他说要把房子过户给他弟弟"
    await ActionAnswerLegal().run(dispatcher, tracker(story), {})
    payload = payloads(dispatcher)[0]
    assert payload["kind"] == "answer" and payload["confidence"] < decisions.LOOSE_MATCH and payload["loose"]
    assert responses(dispatcher)[0] == "utter_legal_answer_loose"
    assert dispatcher.messages[0]["question"] == services.catalog().entries_by_id[payload["kb_id"]].question


async def test_a_close_match_answers_directly(db_url: str, catalog) -> None:
    entry = next(e for e in catalog.entries if e.topic == "labor")
    dispatcher = CollectingDispatcher()
    await ActionAnswerLegal().run(dispatcher, tracker(entry.question), {})
    assert responses(dispatcher)[0] == "utter_legal_answer" and payloads(dispatcher)[0]["loose"] is False


async def test_a_second_question_in_the_same_message_is_offered_after_the_answer(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    text = "公司拖欠了我三个月工资怎么办？还有我在上班路上摔伤了算不算工伤？"
    await ActionAnswerLegal().run(dispatcher, tracker(text), {})
    assert responses(dispatcher)[-1] == "utter_offer_second_question"
    button = dispatcher.messages[-1]["buttons"][0]
    answered = payloads(dispatcher)[0]["kb_id"]
    assert button["payload"].startswith("/ask_legal{") and answered not in button["payload"]


async def test_one_question_gets_no_second_offer(db_url: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerLegal().run(dispatcher, tracker("我想离婚，孩子归谁？"), {})
    assert "utter_offer_second_question" not in responses(dispatcher)


async def test_the_reply_does_not_wait_for_the_question_log(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow database write of the educators' log delays nothing the citizen sees."""
    import threading

    from actions import common

    release = threading.Event()
    real_write = common._write_log

    def slow_write(*args: object) -> None:
        release.wait(5)
        real_write(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(common, "_write_log", slow_write)
    dispatcher = CollectingDispatcher()
    await ActionAnswerLegal().run(dispatcher, tracker("儿子不给赡养费怎么办"), {})
    assert responses(dispatcher)[0] == "utter_legal_answer"  # answered while the write still waits
    with session_scope(db_url) as s:
        assert s.execute(select(QaLog)).first() is None
    release.set()
    flush_log()
    with session_scope(db_url) as s:
        assert s.execute(select(QaLog)).scalar_one().kind == "answer"
