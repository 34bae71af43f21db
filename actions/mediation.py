"""The mediation intake: validate_mediation_form, action_submit_mediation and action_cancel_mediation."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel_of, latest_text
from bot import services
from bot.db.session import session_scope
from bot.directory import DISPUTE_TYPES, load_rows_from_db, open_case_counts
from bot.places import Location
from bot.privacy import find_phone, sender_hash
from bot.referrals import Intake, create_referral
from bot.routing import RouteDecision, RouteRequest
from bot.settings import get_settings

logger = logging.getLogger(__name__)
# Messages with these intents leave the requested slot empty, so the form rejects them and the rules for
# cancelling, emergencies and questions in the middle of the intake apply.
NOT_AN_ANSWER = frozenset(
    {"cancel", "emergency", "ask_legal", "out_of_scope", "request_mediation", "greet", "goodbye"}
)
FORM_SLOTS = ("dispute_type", "location", "county_code", "town_code", "village_code", "consent", "phone")


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


class ValidateMediationForm(FormValidationAction):
    """Normalises what the citizen says into dispute type, resolved place and phone; re-asks when unclear."""

    def name(self) -> str:
        return "validate_mediation_form"

    async def extract_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A message naming a place fills it (even the first one); other text only when the form asked."""
        text = latest_text(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in ("cancel", "emergency"):
            return {}
        names_a_place = services.catalog().gazetteer.resolve(text).found
        if tracker.get_slot("requested_slot") == "location":
            return {"location": text} if names_a_place or intent not in NOT_AN_ANSWER else {}
        if names_a_place and not tracker.get_slot("location"):
            return {"location": text}
        return {}

    def validate_dispute_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {"dispute_type": dispute_code(value)}

    def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value or "")
        location = services.catalog().gazetteer.resolve(text)
        if not location.found:
            dispatcher.utter_message(response="utter_location_not_found", place=text[:20])
            return {"location": None}
        if location.ambiguous:
            choices = location.choices[:8]
            labels = [services.catalog().gazetteer.full_name(p.code) for p in choices]
            buttons = [{"title": label, "payload": label} for label in labels]
            dispatcher.utter_message(
                response="utter_location_choose",
                place=choices[0].short_name,
                buttons=buttons,
                json_message={"kind": "ask", "slot": "location", "choices": [p.code for p in choices]},
            )
            return {"location": None}
        return {
            "location": describe(location),
            "county_code": location.county.code if location.county else None,
            "town_code": location.town.code if location.town else None,
            "village_code": location.village.code if location.village else None,
        }

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        phone = find_phone(str(value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_phone")
        return {"phone": phone}


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


def org_payload(decision: RouteDecision) -> dict[str, Any]:
    places = services.catalog().gazetteer.places
    org = decision.org
    county = places.get(org.county_code)
    town = places.get(org.town_code)
    return {
        "id": org.id,
        "name": org.name,
        "kind": org.kind,
        "county": county.name if county else "清远市",
        "town": town.name if town else None,
    }


def _clear_form() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("requested_slot", None)]


class ActionSubmitMediation(Action):
    """Routes the dispute, stores the referral in one transaction and tells the citizen the reference."""

    def name(self) -> str:
        return "action_submit_mediation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        phone = tracker.get_slot("phone")
        if not tracker.get_slot("consent") or not phone:
            dispatcher.utter_message(response="utter_mediation_cancelled", json_message={"kind": "cancelled"})
            return _clear_form()
        settings = get_settings()
        try:
            with session_scope() as session:
                decision = route(tracker, session)
                intake = Intake(
                    conversation_key=conversation_key(tracker),
                    dispute_type=tracker.get_slot("dispute_type") or "other",
                    county_code=tracker.get_slot("county_code"),
                    town_code=tracker.get_slot("town_code"),
                    village_code=tracker.get_slot("village_code"),
                    place_text=tracker.get_slot("location") or "",
                    counterparty="",
                    description="",
                    applicant_name="",
                    phone=phone,
                    channel=channel_of(tracker),
                    sender_hash=sender_hash(tracker.sender_id, settings.secret_key),
                )
                referral, _created = create_referral(
                    session, intake, decision.org.id, decision.reason, services.cipher()
                )
                reference = referral.reference
        except Exception as error:
            logger.error("referral submit failed: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_submit_failed", json_message={"kind": "fallback"})
            return []
        payload = {"kind": "referral_created", "reference": reference, "org": org_payload(decision)}
        payload["reason"] = decision.reason
        dispatcher.utter_message(
            response="utter_referral_created",
            reference=reference,
            org_name=decision.org.name,
            reason=decision.reason,
            json_message=payload,
        )
        return [*_clear_form(), SlotSet("referral_reference", reference)]


class ActionCancelMediation(Action):
    """Ends the intake without storing anything; a refused consent also gives the organization's contact."""

    def name(self) -> str:
        return "action_cancel_mediation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("requested_slot") == "consent":
            with session_scope() as session:
                decision = route(tracker, session)
            contact = decision.org.phone or decision.org.address or "联系方式以司法行政部门公布为准"
            dispatcher.utter_message(
                response="utter_consent_refused",
                org_name=decision.org.name,
                org_contact=contact,
                json_message={"kind": "cancelled", "reason": "consent_refused", "org": org_payload(decision)},
            )
        else:
            dispatcher.utter_message(response="utter_mediation_cancelled", json_message={"kind": "cancelled"})
        return [*_clear_form(), ActiveLoop(None)]
