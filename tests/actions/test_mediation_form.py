"""The intake form: normalising answers, re-asking when unclear, submitting once, cancelling without a trace."""

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.mediation_form import ActionAskConfirm, ActionAskLocation, ValidateMediationForm, dispute_code
from actions.referrals import ActionCancelMediation, ActionSubmitMediation
from bot.db.models import Referral
from bot.db.session import session_scope
from tests.actions.helpers import FORM_ENDED, INTAKE_CLEARED, payloads, responses, slot, tracker

FORM_START = {"event": "active_loop", "name": "mediation_form", "timestamp": 1234.5}
FILLED = {
    "dispute_type": "neighbor",
    "location": "清城区凤城街道高基里社区",
    "county_code": "441802",
    "town_code": "441802006",
    "village_code": "441802006001",
    "counterparty": "邻居（楼上）",
    "description": "楼上漏水三个月，不肯修也不赔",
    "court_or_police": False,
    "consent": True,
    "applicant_name": "陈女士",
    "phone": "13800138000",
    "confirm": True,
}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("neighbor", "neighbor"),
        ("和邻居吵架", "neighbor"),
        ("老板拖欠工资", "labor"),
        ("物业乱收费", "property"),
        ("借钱不还", "debt"),
        ("邻里纠纷", "neighbor"),
        ("不知道", "other"),  # a citizen who cannot tell the kind: 其他, for the mediator to sort
        ("交通", "traffic"),  # part of the button's name
        ("交通事顾", "traffic"),  # misspelt, same sound
        ("物叶", "property"),
        ("屋企嘅事", "family"),  # Cantonese
        ("勞動工資", "labor"),  # traditional
        ("其他人打了我，伤得很重，医药费花了很多", "personal_injury"),  # 其他 only as a short answer
        ("天气", None),
        ("", None),
    ],
)
def test_dispute_code(value: str, code: str | None) -> None:
    assert dispute_code(value) == code


def test_location_resolves_to_codes() -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateMediationForm().validate_location("英德浛洸", dispatcher, tracker("英德浛洸"), {})
    assert result == {
        "location": "英德市浛洸镇",
        "county_code": "441881",
        "town_code": "441881112",
        "village_code": None,
        "location_choices": None,
    }
    assert dispatcher.messages == []


def test_unknown_place_is_asked_again() -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateMediationForm().validate_location("火星", dispatcher, tracker("火星"), {})
    assert result == {"location": None, "location_choices": None}
    assert responses(dispatcher) == ["utter_location_not_found"]


def test_ambiguous_place_offers_choices_that_resolve() -> None:
    dispatcher = CollectingDispatcher()
    form = ValidateMediationForm()
    result = form.validate_location("田心村", dispatcher, tracker("田心村"), {})
    assert responses(dispatcher) == ["utter_location_choose"]
    buttons = dispatcher.messages[0]["buttons"]
    assert result == {"location": None, "location_choices": [b["title"] for b in buttons]}
    assert len(buttons) > 1
    again = form.validate_location(
        buttons[0]["payload"], CollectingDispatcher(), tracker(buttons[0]["payload"]), {}
    )
    assert again["village_code"] is not None


@pytest.mark.parametrize(
    ("text", "phone"), [("我的电话13912345678", "13912345678"), ("0763-3388123", "0763-3388123")]
)
def test_valid_phone_is_normalised(text: str, phone: str) -> None:
    dispatcher = CollectingDispatcher()
    assert ValidateMediationForm().validate_phone(text, dispatcher, tracker(text), {}) == {"phone": phone}
    assert dispatcher.messages == []


@pytest.mark.parametrize("text", ["123", "我不告诉你", "' OR 1=1 --"])
def test_invalid_phone_is_asked_again_with_a_reason(text: str) -> None:
    dispatcher = CollectingDispatcher()
    assert ValidateMediationForm().validate_phone(text, dispatcher, tracker(text), {}) == {"phone": None}
    assert responses(dispatcher) == ["utter_invalid_phone"]


async def test_place_in_the_first_message_is_picked_up() -> None:
    form = ValidateMediationForm()
    first = tracker("我在连州和邻居吵架了，想调解", intent="request_mediation")
    assert await form.extract_location(CollectingDispatcher(), first, {}) == {
        "location": "我在连州和邻居吵架了，想调解"
    }
    no_place = tracker("我和邻居吵架了", intent="request_mediation")
    assert await form.extract_location(CollectingDispatcher(), no_place, {}) == {}


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        (
            "连州市西岸镇",
            "ask_legal",
            {"location": "连州市西岸镇"},
        ),  # a place is an answer whatever DIET says
        ("火星", "inform", {"location": "火星"}),  # unknown place: validated and asked again
        ("邻居漏水不赔怎么办", "ask_legal", {}),  # a question: left to the interruption rule
        ("算了不调了", "cancel", {}),
        ("英德他拿刀砍我", "emergency", {}),  # a danger phrase: left to the emergency rule
        ("英德", "emergency", {"location": "英德"}),  # only the model heard danger in a short answer
        ("我在英德，他现在一直在追着我跑", "emergency", {}),  # the model heard danger in a story: the rule
    ],
)
async def test_answers_to_the_location_question(text: str, intent: str, expected: dict) -> None:
    danger = [{"entity": "emergency_type", "value": "violence"}] if "拿刀" in text else []
    asked = tracker(text, intent=intent, entities=danger, slots={"requested_slot": "location"})
    assert await ValidateMediationForm().extract_location(CollectingDispatcher(), asked, {}) == expected


async def test_submit_creates_one_referral_even_when_retried(directory_db: str) -> None:
    for attempt in range(2):
        dispatcher = CollectingDispatcher()
        events = await ActionSubmitMediation().run(
            dispatcher, tracker("13800138000", slots=FILLED, events=[FORM_START]), {}
        )
        payload = payloads(dispatcher)[0]
        assert responses(dispatcher) == ["utter_referral_created"]
        assert payload["kind"] == "referral_created"
        assert payload["org"] == {
            "id": "V441802006001",
            "name": "高基里社区人民调解委员会",
            "kind": "village",
            "county": "清城区",
            "town": "凤城街道",
        }
        assert payload["reference"].startswith("QY-") and payload["reason"]
        assert events == [*INTAKE_CLEARED, slot("referral_reference", payload["reference"])]
        if attempt == 0:
            reference = payload["reference"]
        assert payload["reference"] == reference
    with session_scope(directory_db) as s:
        assert s.execute(select(func.count()).select_from(Referral)).scalar_one() == 1


async def test_submit_without_consent_stores_nothing(directory_db: str) -> None:
    dispatcher = CollectingDispatcher()
    slots = {**FILLED, "consent": None}
    events = await ActionSubmitMediation().run(dispatcher, tracker("", slots=slots, events=[FORM_START]), {})
    assert payloads(dispatcher) == [{"kind": "cancelled"}]
    assert events == INTAKE_CLEARED
    with session_scope(directory_db) as s:
        assert s.execute(select(func.count()).select_from(Referral)).scalar_one() == 0


async def test_cancel_stores_nothing_and_ends_the_form(directory_db: str) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionCancelMediation().run(dispatcher, tracker("算了", intent="cancel", slots=FILLED), {})
    assert payloads(dispatcher) == [{"kind": "cancelled"}]
    assert events == [*INTAKE_CLEARED, FORM_ENDED]


async def test_refused_consent_gives_the_public_contact(directory_db: str) -> None:
    dispatcher = CollectingDispatcher()
    slots = {**FILLED, "consent": None, "phone": None, "requested_slot": "consent"}
    await ActionCancelMediation().run(dispatcher, tracker("不同意", intent="deny", slots=slots), {})
    assert responses(dispatcher) == ["utter_consent_refused"]
    payload = payloads(dispatcher)[0]
    assert payload["kind"] == "cancelled" and payload["reason"] == "consent_refused"
    assert payload["org"]["id"] == "V441802006001"


async def test_story_in_the_first_message_fills_counterparty_and_description() -> None:
    form = ValidateMediationForm()
    first = tracker("楼上邻居漏水三个月了，一直不肯修也不肯赔，我想申请调解", intent="request_mediation")
    assert await form.extract_counterparty(CollectingDispatcher(), first, {}) == {
        "counterparty": "邻居（楼上）"
    }
    story = await form.extract_description(CollectingDispatcher(), first, {})
    assert story["description"].startswith("楼上邻居漏水")
    bare = tracker("我想申请调解", intent="request_mediation")
    assert await form.extract_description(CollectingDispatcher(), bare, {}) == {}
    assert await form.extract_counterparty(CollectingDispatcher(), bare, {}) == {}


def test_short_description_is_asked_again() -> None:
    dispatcher = CollectingDispatcher()
    assert ValidateMediationForm().validate_description("吵架", dispatcher, tracker("吵架"), {}) == {
        "description": None
    }
    assert responses(dispatcher) == ["utter_description_too_short"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("陈女士", "陈女士"),
        ("我姓李", "李"),
        ("我姓何，何女士", "何女士"),  # said twice: the last clause that is a name
        ("姓罗，罗伯", "罗伯"),
        ("13800138000", None),
        ("", None),
    ],
)
def test_applicant_name(text: str, name: str | None) -> None:
    dispatcher = CollectingDispatcher()
    assert ValidateMediationForm().validate_applicant_name(text, dispatcher, tracker(text), {}) == {
        "applicant_name": name
    }
    assert (responses(dispatcher) == ["utter_invalid_name"]) == (name is None)


async def test_confirm_submits_or_edits_one_field() -> None:
    form = ValidateMediationForm()
    asked = {**FILLED, "confirm": None, "requested_slot": "confirm"}
    yes = tracker("确认提交", intent="affirm", slots=asked)
    assert await form.extract_confirm(CollectingDispatcher(), yes, {}) == {"confirm": True}
    edit_phone = tracker("改一下电话", intent="inform", slots=asked)
    assert await form.extract_confirm(CollectingDispatcher(), edit_phone, {}) == {
        "phone": None,
        "confirm": None,
    }
    edit_place = tracker("地点说错了，改一下地点", intent="deny", slots=asked)
    cleared = await form.extract_confirm(CollectingDispatcher(), edit_place, {})
    assert cleared == {
        "location": None,
        "county_code": None,
        "town_code": None,
        "village_code": None,
        "confirm": None,
    }
    unclear = CollectingDispatcher()
    assert await form.extract_confirm(unclear, tracker("嗯？", intent="deny", slots=asked), {}) == {
        "confirm": None
    }
    assert responses(unclear) == ["utter_ask_which_field"]


async def test_confirm_reads_everything_back() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskConfirm().run(dispatcher, tracker("", slots={**FILLED, "confirm": None}), {})
    payload = payloads(dispatcher)[0]
    assert payload["kind"] == "ask" and payload["slot"] == "confirm"
    assert payload["summary"]["phone"] == "13800138000" and payload["summary"]["dispute_type"] == "邻里纠纷"


async def test_already_in_court_stores_nothing_and_explains(directory_db: str) -> None:
    dispatcher = CollectingDispatcher()
    slots = {**FILLED, "court_or_police": True, "consent": None, "applicant_name": None, "phone": None}
    events = await ActionSubmitMediation().run(dispatcher, tracker("已经起诉了", slots=slots), {})
    assert responses(dispatcher) == ["utter_already_handled"]
    assert payloads(dispatcher) == [{"kind": "cancelled", "reason": "already_handled"}]
    assert events == INTAKE_CLEARED
    with session_scope(directory_db) as s:
        assert s.execute(select(func.count()).select_from(Referral)).scalar_one() == 0


async def test_consent_refused_in_the_form_stores_nothing_and_gives_the_contact(directory_db: str) -> None:
    dispatcher = CollectingDispatcher()
    slots = {**FILLED, "consent": False, "applicant_name": None, "phone": None, "confirm": None}
    events = await ActionSubmitMediation().run(dispatcher, tracker("不同意", slots=slots), {})
    assert responses(dispatcher) == ["utter_consent_refused"]
    assert payloads(dispatcher)[0]["reason"] == "consent_refused"
    assert events == INTAKE_CLEARED
    with session_scope(directory_db) as s:
        assert s.execute(select(func.count()).select_from(Referral)).scalar_one() == 0


async def test_a_button_entity_is_not_overwritten_by_the_payload_text() -> None:
    button = tracker(
        '/inform{"dispute_type":"neighbor"}',
        intent="inform",
        entities=[{"entity": "dispute_type", "value": "neighbor"}],
        slots={"requested_slot": "dispute_type"},
    )
    assert await ValidateMediationForm().extract_dispute_type(CollectingDispatcher(), button, {}) == {
        "dispute_type": "neighbor"
    }
    typed = tracker("就是吵架那种", intent="inform", slots={"requested_slot": "dispute_type"})
    assert await ValidateMediationForm().extract_dispute_type(CollectingDispatcher(), typed, {}) == {
        "dispute_type": "就是吵架那种"
    }


async def test_a_later_mention_does_not_retype_the_dispute() -> None:
    neighbour = [{"entity": "dispute_type", "value": "neighbor"}]
    later = tracker(
        "邻居",
        intent="inform",
        entities=neighbour,
        slots={"dispute_type": "traffic", "requested_slot": "counterparty"},
    )
    assert await ValidateMediationForm().extract_dispute_type(CollectingDispatcher(), later, {}) == {}
    first = tracker("和邻居吵架想调解", intent="request_mediation", entities=neighbour)
    assert await ValidateMediationForm().extract_dispute_type(CollectingDispatcher(), first, {}) == {
        "dispute_type": "neighbor"
    }


async def test_where_is_not_asked_again_under_a_choice_of_places() -> None:
    offered = CollectingDispatcher()
    choices = {"location_choices": ["英德市大湾镇田心村", "清新区太平镇田心村"], "requested_slot": "location"}
    await ActionAskLocation().run(offered, tracker("田心村", slots=choices), {})
    assert responses(offered) == []  # the choice message asks already
    fresh = CollectingDispatcher()
    await ActionAskLocation().run(fresh, tracker("", slots={"requested_slot": "location"}), {})
    assert responses(fresh) == ["utter_ask_location"]


def test_a_place_not_found_forgets_the_earlier_choice() -> None:
    dispatcher = CollectingDispatcher()
    chosen = tracker(
        "火星基地", slots={"location_choices": ["英德市大湾镇田心村"], "requested_slot": "location"}
    )
    assert ValidateMediationForm().validate_location("火星基地", dispatcher, chosen, {}) == {
        "location": None,
        "location_choices": None,
    }


async def test_a_database_failure_keeps_the_answers_and_the_retry_stores_exactly_one(
    directory_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    import actions.referrals as referrals

    real_store = referrals._store

    def unavailable(*args: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(referrals, "_store", unavailable)
    dispatcher = CollectingDispatcher()
    history = [FORM_START, {"event": "active_loop", "name": None, "timestamp": 1300.0}]
    events = await ActionSubmitMediation().run(dispatcher, tracker("确认", slots=FILLED, events=history), {})
    assert responses(dispatcher) == ["utter_submit_failed"]
    # the form resumes at the confirmation question; no other answer is touched
    assert events == [
        slot("confirm", None),
        {"event": "active_loop", "name": "mediation_form", "timestamp": None},
    ]
    with session_scope(directory_db) as s:
        assert s.execute(select(func.count()).select_from(Referral)).scalar_one() == 0

    monkeypatch.setattr(referrals, "_store", real_store)
    resumed = [*history, {"event": "active_loop", "name": "mediation_form", "timestamp": 1400.0}]
    for _ in range(2):  # the retry, and a duplicate of it, give one referral under the first activation's key
        dispatcher = CollectingDispatcher()
        await ActionSubmitMediation().run(dispatcher, tracker("确认", slots=FILLED, events=resumed), {})
        assert responses(dispatcher) == ["utter_referral_created"]
    with session_scope(directory_db) as s:
        stored = s.execute(select(Referral)).scalars().all()
        assert len(stored) == 1
        assert stored[0].conversation_key == referrals.conversation_key("tester", 1234.5)


def test_a_new_intake_after_the_answers_are_cleared_is_a_new_key() -> None:
    from actions.referrals import intake_started

    first = [
        FORM_START,
        slot("dispute_type", None),
        {"event": "active_loop", "name": "mediation_form", "timestamp": 9.0},
    ]
    assert intake_started(tracker(events=first)) == 9.0
    assert intake_started(tracker(events=[FORM_START, {**FORM_START, "timestamp": 2000.0}])) == 1234.5
    assert intake_started(tracker()) == ""
