"""Building inline trackers and reading what a dispatcher collected."""

from typing import Any

from rasa_sdk import Tracker

SLOTS = {
    "audience": None,
    "dispute_type": None,
    "location": None,
    "county_code": None,
    "town_code": None,
    "village_code": None,
    "consent": None,
    "phone": None,
    "referral_reference": None,
    "last_kb_id": None,
    "requested_slot": None,
    "counterparty": None,
    "description": None,
    "court_or_police": None,
    "applicant_name": None,
    "confirm": None,
    "last_question": None,
    "intake_misses": 0,
    "intake_missed_at": None,
    "location_choices": None,
}


def tracker(
    text: str = "",
    intent: str = "ask_legal",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    sender: str = "tester",
    active_loop: str | None = None,
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    base_events = events if events is not None else []
    user = {"event": "user", "text": text, "parse_data": latest, "input_channel": "rest", "timestamp": 2.0}
    return Tracker(
        sender,
        {**SLOTS, **(slots or {})},
        latest,
        [*base_events, user],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def responses(dispatcher: Any) -> list[str | None]:
    return [m.get("response") for m in dispatcher.messages]


def payloads(dispatcher: Any) -> list[dict[str, Any]]:
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def slot(name: str, value: Any) -> dict[str, Any]:
    """A SlotSet event as an action returns it."""
    return {"event": "slot", "name": name, "value": value, "timestamp": None}


# Written out by hand: every slot the intake fills, cleared in this order, then requested_slot.
INTAKE_SLOTS = (
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
    "intake_misses",
    "intake_missed_at",
    "location_choices",
    "requested_slot",
)
INTAKE_CLEARED = [slot(name, None) for name in INTAKE_SLOTS]
FORM_ENDED = {"event": "active_loop", "name": None, "timestamp": None}
