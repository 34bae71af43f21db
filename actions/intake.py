"""Helpers for the mediation intake shared by the form validator and the referral actions."""

from __future__ import annotations

import hashlib
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot import services
from bot.directory import DISPUTE_TYPES, load_rows_from_db, open_case_counts
from bot.places import Location
from bot.routing import RouteDecision, RouteRequest

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
# Messages with these intents leave the requested slot empty, so the form rejects them and the rules for
# cancelling, emergencies and questions in the middle of the intake apply.
NOT_AN_ANSWER = frozenset(
    {"cancel", "emergency", "ask_legal", "out_of_scope", "request_mediation", "greet", "goodbye"}
)


def intent_of(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def dispute_code(value: Any) -> str | None:
    """A dispute type code from a button value or from words (keywords in knowledge/mediation/)."""
    text = str(value or "").strip()
    if text in DISPUTE_TYPES:
        return text
    for code, item in services.catalog().dispute_types.items():
        if text == item["name"] or any(k in text for k in item.get("keywords") or ()):
            return code
    return None


def describe(location: Location) -> str:
    """The location's full name: 英德市浛洸镇某某村."""
    most_specific = location.village or location.town or location.county
    return services.catalog().gazetteer.full_name(most_specific.code) if most_specific else ""


def conversation_key(tracker: Tracker) -> str:
    """Same sender + same intake (the form's activation time) → same key, so a retried submit is recognised."""
    started = [
        e.get("timestamp")
        for e in tracker.events
        if e.get("event") == "active_loop" and e.get("name") == "mediation_form"
    ]
    raw = f"{tracker.sender_id}:{started[-1] if started else ''}"
    return hashlib.sha256(raw.encode()).hexdigest()


def route(tracker: Tracker, session: Any) -> RouteDecision:
    request = RouteRequest(
        dispute_type=tracker.get_slot("dispute_type") or "other",
        county_code=tracker.get_slot("county_code"),
        town_code=tracker.get_slot("town_code"),
        village_code=tracker.get_slot("village_code"),
    )
    return services.catalog().router(load_rows_from_db(session)).route(request, open_case_counts(session))


def org_payload(org_id: str, name: str, kind: str, county_code: str | None, town_code: str | None) -> dict:
    places = services.catalog().gazetteer.places
    county = places.get(county_code or "")
    town = places.get(town_code or "")
    return {
        "id": org_id,
        "name": name,
        "kind": kind,
        "county": county.name if county else "清远市",
        "town": town.name if town else None,
    }


def decision_org(decision: RouteDecision) -> dict:
    org = decision.org
    return org_payload(org.id, org.name, org.kind, org.county_code, org.town_code)


def clear_form() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("requested_slot", None)]
