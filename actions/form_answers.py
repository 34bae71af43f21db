"""Reading the answer to the question the intake form asked: words, button payloads or option numbers; misses."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.common import intent_of, latest_entity, latest_text
from bot import services
from bot.mediation.answers import option_number

FORM_SLOTS = (
    "dispute_type",
    "location",
    "county_code",
    "town_code",
    "village_code",
    "counterparty",
    "description",
    "court_or_police",
    "consent",
    "applicant_name",
    "phone",
    "confirm",
)
LOCATION_SLOTS = ("location", "county_code", "town_code", "village_code")
# Messages with these intents leave the requested slot empty, so the form rejects them and the rules for
# cancelling, emergencies and questions in the middle of the intake apply.
NOT_AN_ANSWER = frozenset(
    {"cancel", "emergency", "ask_legal", "out_of_scope", "request_mediation", "greet", "goodbye"}
)
MISSES = "intake_misses"  # unreadable answers in a row to the question being asked
MISSED_AT = "intake_missed_at"  # the user message last counted (Rasa runs the validator twice per message)
HELP_AFTER = 2  # from this miss on, the buttons, the option numbers and 12348 are offered
GIVE_UP_AFTER = 4  # at this miss the intake ends (nothing stored) instead of asking again
QUESTION_OF = {"confirm": "utter_ask_confirm"}  # the response that asks for a slot, when not utter_ask_<slot>


def clear_form() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in (*FORM_SLOTS, MISSES, MISSED_AT, "location_choices")] + [
        SlotSet("requested_slot", None)
    ]


def asked(tracker: Tracker, slot: str) -> bool:
    return tracker.get_slot("requested_slot") == slot


SHORT_ANSWER = 12  # a message this short that asks nothing is an answer, even if DIET took it for a question


STORY_SLOTS = ("description",)  # the question whose answer is the dispute's story, as long as people make it


def model_only_danger(tracker: Tracker) -> bool:
    """The intent model alone heard danger where no danger phrase of knowledge/legal/emergency.yml is: in a short
    message that asks nothing (it took "一个不认识的人", typed as the other party, for one), or in the story asked
    for ("我停在路边的车被人倒车撞了…想按交警认定赔": a dispute to mediate, not a danger now)."""
    if intent_of(tracker) != "emergency" or latest_entity(tracker, "emergency_type") is not None:
        return False
    text = latest_text(tracker)
    if tracker.get_slot("requested_slot") in STORY_SLOTS:
        return True
    return len(text.strip()) <= SHORT_ANSWER and not services.yes_no().asks(text)


def never_an_answer(tracker: Tracker) -> bool:
    """A cancel or a danger: the rules for cancelling and for emergencies take the message. A danger only the model
    saw in a short message or in the story is still read as an answer; the form gives the emergency numbers first
    (``ValidateMediationForm.get_validation_events``)."""
    intent = intent_of(tracker)
    return intent == "cancel" or (intent == "emergency" and not model_only_danger(tracker))


def answer_when_asked(tracker: Tracker, slot: str, recognised: bool) -> dict[str, Any]:
    """The rule for a question the form asked: a recognisable answer is always taken, whatever DIET thought, and so
    is a short message that asks nothing ("火星基地" taken for a legal question, "一个不认识的人" for danger);
    otherwise a cancel/emergency/question intent is left to the rules; anything else is validated (and re-asked)."""
    intent, text = intent_of(tracker), latest_text(tracker)
    if not asked(tracker, slot) or never_an_answer(tracker):
        return {}
    short_plain = intent in ("ask_legal", "out_of_scope") and len(text.strip()) <= SHORT_ANSWER
    if (
        recognised
        or intent not in NOT_AN_ANSWER
        or model_only_danger(tracker)
        or (short_plain and not services.yes_no().asks(text))
    ):
        return {slot: text}
    return {}


def buttons_of(domain: dict[str, Any], slot: str) -> list[dict[str, Any]]:
    """The buttons under the question that asks for ``slot`` (as the domain's response has them)."""
    variants = (domain.get("responses") or {}).get(QUESTION_OF.get(slot, f"utter_ask_{slot}")) or [{}]
    return list(variants[0].get("buttons") or [])


def chosen_payload(tracker: Tracker, domain: dict[str, Any], slot: str) -> str | None:
    """The payload of the button whose number the citizen typed ("2" → the second button), if any."""
    number = option_number(latest_text(tracker))
    buttons = buttons_of(domain, slot)
    return str(buttons[number - 1]["payload"]) if number and number <= len(buttons) else None


def payload_entity(payload: str, entity: str) -> Any:
    """The value of ``entity`` in a button payload such as /inform{"dispute_type":"family"} (the domain writes
    its braces doubled, as response templates need)."""
    _intent, _, raw = payload.replace("{{", "{").replace("}}", "}").partition("{")
    try:
        return json.loads("{" + raw).get(entity) if raw else None
    except ValueError:
        return None


def yes_or_no(tracker: Tracker, domain: dict[str, Any], slot: str) -> bool | None:
    """A button (/affirm, /deny), an option number, or yes/no in words (knowledge/mediation/answers.yml)."""
    intent = intent_of(tracker)
    payload = chosen_payload(tracker, domain, slot)
    if payload in ("/affirm", "/deny"):
        return payload == "/affirm"
    text = latest_text(tracker)
    if text.startswith("/") and intent in ("affirm", "deny"):
        return intent == "affirm"
    return services.yes_no().read(text)


def message_time(tracker: Tracker) -> float | None:
    """When the latest user message came: it tells the validator's two runs on one message apart from the next."""
    return next((e.get("timestamp") for e in reversed(tracker.events) if e.get("event") == "user"), None)


def misses_after(tracker: Tracker, answered: bool) -> int:
    """How many unreadable answers in a row there are now, for the question being asked. Rasa runs the validator
    twice on each message (slot extraction, then the form), so a message already counted is not counted again."""
    misses = int(tracker.get_slot(MISSES) or 0)
    if answered:
        return 0
    counted = tracker.get_slot(MISSED_AT) is not None and tracker.get_slot(MISSED_AT) == message_time(tracker)
    return misses if counted else misses + 1
