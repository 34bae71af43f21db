"""The intake form reads answers as people type them: yes and no in words, option numbers, places from a
choice; an answer it cannot read is asked again with the options, and the form never loops."""

from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.form_answers import GIVE_UP_AFTER, HELP_AFTER, payload_entity
from actions.mediation_form import ValidateMediationForm
from actions.referrals import ActionSubmitMediation
from tests.actions.helpers import INTAKE_CLEARED, payloads, responses, tracker
from tests.paths import ROOT

DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
BEFORE_COURT = {
    "dispute_type": "neighbor",
    "location": "清城区凤城街道高基里社区",
    "county_code": "441802",
    "town_code": "441802006",
    "village_code": "441802006001",
    "counterparty": "邻居",
    "description": "楼上漏水三个月，不肯修也不赔",
}


async def fill(text: str, intent: str, slots: dict[str, Any]) -> tuple[CollectingDispatcher, dict[str, Any]]:
    """One turn of the form validator as the action server runs it; returns what it said and the slots it set."""
    dispatcher = CollectingDispatcher()
    events = await ValidateMediationForm().run(dispatcher, tracker(text, intent=intent, slots=slots), DOMAIN)
    return dispatcher, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def asking(slot: str, **slots: Any) -> dict[str, Any]:
    order = ["court_or_police", "consent", "applicant_name", "phone"]
    before = order[: order.index(slot)] if slot in order else []
    earlier = {"court_or_police": False, "consent": True, "applicant_name": "陈女士"}
    return {**BEFORE_COURT, **{s: earlier[s] for s in before}, "requested_slot": slot, **slots}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("没有", "greet"),  # DIET's guess does not matter: the words do
        ("没", "affirm"),
        ("还没", "inform"),
        ("无", "nlu_fallback"),
        ("不是", "deny"),
        ("没报警", "inform"),
        ("没起诉", "ask_legal"),
        ("没有，还没去法院", "inform"),
        ("沒有", "inform"),
        ("1", "inform"),  # the first button: 没有
        ("/deny", "deny"),
    ],
)
async def test_no_to_court_or_police_goes_on_to_consent(text: str, intent: str) -> None:
    dispatcher, slots = await fill(text, intent, asking("court_or_police"))
    assert slots["court_or_police"] is False
    assert slots["intake_misses"] == 0
    assert dispatcher.messages == []


@pytest.mark.parametrize("text", ["有", "是的", "对", "已经起诉了", "派出所在处理", "2", "/affirm"])
async def test_yes_to_court_or_police_ends_the_form(text: str) -> None:
    intent = "affirm" if text == "/affirm" else "inform"
    _dispatcher, slots = await fill(text, intent, asking("court_or_police"))
    assert slots["court_or_police"] is True
    assert (
        slots["requested_slot"] is None
    )  # nothing more is asked: the submit action explains and stores nothing


@pytest.mark.parametrize(
    ("text", "consent"), [("同意", True), ("好的", True), ("1", True), ("不同意", False)]
)
async def test_consent_in_words_or_numbers(text: str, consent: bool) -> None:
    _dispatcher, slots = await fill(text, "inform", asking("consent"))
    assert slots["consent"] is consent
    assert ("requested_slot" in slots and slots["requested_slot"] is None) == (not consent)


async def test_a_question_in_the_middle_is_left_to_the_rules() -> None:
    dispatcher, slots = await fill("调解要不要钱？", "ask_legal", asking("court_or_police"))
    assert "court_or_police" not in slots and dispatcher.messages == []


async def test_an_unreadable_answer_is_asked_again_then_helped_then_the_intake_ends() -> None:
    misses = 0
    seen = []
    for _turn in range(GIVE_UP_AFTER):
        dispatcher, slots = await fill("啊啊啊", "inform", asking("court_or_police", intake_misses=misses))
        misses = slots["intake_misses"]
        seen.append(responses(dispatcher))
    assert seen[0] == ["utter_answer_yes_or_no"]
    assert seen[HELP_AFTER - 1] == ["utter_answer_yes_or_no", "utter_intake_help"]
    assert misses == GIVE_UP_AFTER and slots["requested_slot"] is None  # the form stops asking
    help_buttons = [m for m in dispatcher.messages if m.get("response") == "utter_intake_help"]
    assert help_buttons == [] or help_buttons[0]["buttons"]


async def test_help_shows_the_question_buttons() -> None:
    dispatcher, _slots = await fill(
        "嗯嗯嗯？？", "inform", asking("court_or_police", intake_misses=HELP_AFTER - 1)
    )
    help_message = next(m for m in dispatcher.messages if m.get("response") == "utter_intake_help")
    assert [b["payload"] for b in help_message["buttons"]] == ["/deny", "/affirm"]


async def test_a_good_answer_resets_the_misses() -> None:
    _dispatcher, slots = await fill("没有", "inform", asking("court_or_police", intake_misses=2))
    assert slots["intake_misses"] == 0


async def test_giving_up_stores_nothing() -> None:
    dispatcher = CollectingDispatcher()
    slots = {**asking("court_or_police"), "intake_misses": GIVE_UP_AFTER}
    events = await ActionSubmitMediation().run(dispatcher, tracker("啊啊啊", slots=slots), {})
    assert responses(dispatcher) == ["utter_intake_gave_up"]
    assert payloads(dispatcher) == [{"kind": "cancelled", "reason": "not_understood"}]
    assert events == INTAKE_CLEARED


@pytest.mark.parametrize(
    ("text", "code"), [("1", "family"), ("3", "land_forest"), ("（9）", "debt"), ("十二", None)]
)
async def test_a_dispute_type_by_its_number(text: str, code: str | None) -> None:
    _dispatcher, slots = await fill(text, "inform", {"requested_slot": "dispute_type"})
    assert slots.get("dispute_type") == code


async def test_a_place_picked_by_number_from_the_choices() -> None:
    first = await ValidateMediationForm().run(
        CollectingDispatcher(),
        tracker("田心村", intent="inform", slots={"requested_slot": "location"}),
        DOMAIN,
    )
    choices = next(e["value"] for e in first if e.get("name") == "location_choices")
    assert len(choices) > 1
    _dispatcher, slots = await fill(
        "2", "inform", {"requested_slot": "location", "location_choices": choices}
    )
    assert slots["location"] == choices[1] and slots["village_code"] and slots["location_choices"] is None
    # Rasa runs the validator a second time on the same message, after the first run used the choices up: the
    # number must not then be read as a place ("没找到“2”"), whatever intent the model gave it.
    for intent in ("inform", "ask_legal", "goodbye"):
        _dispatcher, again = await fill("2", intent, {"requested_slot": "location", **slots})
        assert again.get("location", slots["location"]) == slots["location"], intent


@pytest.mark.parametrize(("text", "confirm"), [("确认", True), ("好的", True), ("1", True)])
async def test_confirm_in_words_or_numbers(text: str, confirm: bool) -> None:
    slots = {**asking("confirm"), "consent": True, "applicant_name": "陈女士", "phone": "13800138000"}
    _dispatcher, filled = await fill(text, "inform", slots)
    assert filled["confirm"] is confirm


def test_payload_entities_with_doubled_braces() -> None:
    assert payload_entity('/inform{{"dispute_type":"family"}}', "dispute_type") == "family"
    assert payload_entity('/inform{"dispute_type":"debt"}', "dispute_type") == "debt"
    assert payload_entity("/deny", "dispute_type") is None


@pytest.mark.parametrize(("slot", "text"), [("location", "火星基地"), ("counterparty", "一个不认识的人")])
async def test_a_short_answer_taken_for_a_legal_question_is_still_an_answer(slot: str, text: str) -> None:
    slots = (
        {"requested_slot": slot}
        if slot == "location"
        else {**BEFORE_COURT, "counterparty": None, "requested_slot": slot}
    )
    _dispatcher, filled = await fill(text, "ask_legal", slots)
    assert slot in filled  # taken as the answer (a place then validated), not left to the legal-question rule


async def test_a_real_question_in_the_middle_is_still_answered_by_the_rules() -> None:
    slots = {**BEFORE_COURT, "counterparty": None, "requested_slot": "counterparty"}
    _dispatcher, filled = await fill("调解要不要钱？", "ask_legal", slots)
    assert "counterparty" not in filled


async def test_a_message_is_counted_once_though_rasa_runs_the_validator_twice() -> None:
    first, slots = await fill("啊啊啊", "inform", asking("court_or_police"))
    again, slots_again = await fill("啊啊啊", "inform", asking("court_or_police", **slots))
    assert slots["intake_misses"] == slots_again["intake_misses"] == 1
    assert responses(again) == responses(first) == ["utter_answer_yes_or_no"]


async def test_a_short_answer_only_the_model_took_for_danger_is_kept_after_the_numbers() -> None:
    """The intent model took "一个不认识的人" (the other party) for danger, and no danger phrase is in it: the answer
    is kept and the emergency numbers come first, so neither a real danger nor the intake is lost."""
    slots = {**BEFORE_COURT, "counterparty": None, "description": None, "requested_slot": "counterparty"}
    dispatcher, filled = await fill("一个不认识的人", "emergency", slots)
    assert filled["counterparty"] == "一个不认识的人"
    assert responses(dispatcher)[0] == "utter_emergency_violence"


async def test_a_story_only_the_model_took_for_danger_is_kept_after_the_numbers() -> None:
    """Asked what happened, a citizen tells a past accident; the intent model called it danger, no phrase did."""
    slots = {**BEFORE_COURT, "description": None, "requested_slot": "description"}
    story = "我停在路边的车被人倒车撞了，对方说不是他全责，想按交警认定赔，你们可以帮忙吗"
    dispatcher, filled = await fill(story, "emergency", slots)
    assert filled["description"] == story
    assert responses(dispatcher)[0] == "utter_emergency_violence"


@pytest.mark.parametrize(
    ("slot", "text"), [("counterparty", "他拿刀了"), ("description", "他现在拿着刀在我家门口，说要砍死我们")]
)
async def test_a_danger_phrase_is_never_an_answer(slot: str, text: str) -> None:
    """A danger phrase ends the intake for the emergency rule, in a short answer and in the story alike."""
    slots = {**BEFORE_COURT, "counterparty": None, "description": None, "requested_slot": slot}
    danger = tracker(
        text,
        intent="emergency",
        entities=[{"entity": "emergency_type", "value": "violence"}],
        slots=slots,
    )
    events = await ValidateMediationForm().run(CollectingDispatcher(), danger, DOMAIN)
    assert slot not in {e["name"] for e in events if e.get("event") == "slot" and e["value"]}
