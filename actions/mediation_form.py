"""validate_mediation_form and action_ask_confirm: the intake questions, read from what the citizen says."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import intent_of, latest_entity, latest_text
from bot import services
from bot.mediation.intake import valid_counterparty, valid_description
from bot.privacy import find_phone

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
NEVER_AN_ANSWER = ("cancel", "emergency")


def clear_form() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("requested_slot", None)]


def dispute_code(value: Any) -> str | None:
    return services.catalog().dispute_types.code_of(value)


def answer_when_asked(tracker: Tracker, slot: str, recognised: bool) -> dict[str, Any]:
    """The rule for a question the form asked: a recognisable answer is always taken, whatever DIET thought;
    otherwise a cancel/emergency/question intent is left to the rules; anything else is validated (and re-asked).
    """
    if tracker.get_slot("requested_slot") != slot or intent_of(tracker) in NEVER_AN_ANSWER:
        return {}
    if recognised or intent_of(tracker) not in NOT_AN_ANSWER:
        return {slot: latest_text(tracker)}
    return {}


class ValidateMediationForm(FormValidationAction):
    """Normalises answers; picks up what the first message already told; re-asks when unclear."""

    def name(self) -> str:
        return "validate_mediation_form"

    async def extract_dispute_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Asked: a button/dispute-word entity, else the words. Not asked: only fills an empty slot, so a later
        mention ("对方是邻居" in a traffic dispute) never re-types the dispute."""
        entity = latest_entity(tracker, "dispute_type")
        if intent_of(tracker) in NEVER_AN_ANSWER:
            return {}
        if tracker.get_slot("requested_slot") == "dispute_type":
            return (
                {"dispute_type": entity}
                if entity
                else answer_when_asked(
                    tracker, "dispute_type", dispute_code(latest_text(tracker)) is not None
                )
            )
        return {"dispute_type": entity} if entity and not tracker.get_slot("dispute_type") else {}

    async def extract_applicant_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        named = services.intake().valid_name(latest_text(tracker)) is not None
        return answer_when_asked(tracker, "applicant_name", named)

    async def extract_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return answer_when_asked(tracker, "phone", find_phone(latest_text(tracker)) is not None)

    async def extract_location(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A message naming a place fills it (even the first one); other text only when the form asked."""
        text = latest_text(tracker)
        names_a_place = services.catalog().gazetteer.resolve(text).found
        if tracker.get_slot("requested_slot") == "location":
            return answer_when_asked(tracker, "location", names_a_place)
        if names_a_place and not tracker.get_slot("location") and intent_of(tracker) not in NEVER_AN_ANSWER:
            return {"location": text}
        return {}

    async def extract_counterparty(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text, intent = latest_text(tracker), intent_of(tracker)
        if intent in NEVER_AN_ANSWER:
            return {}
        named = services.intake().counterparty_in(text)
        if tracker.get_slot("requested_slot") == "counterparty":
            return (
                {"counterparty": named or valid_counterparty(text)}
                if named or intent not in NOT_AN_ANSWER
                else {}
            )
        return {"counterparty": named} if named and not tracker.get_slot("counterparty") else {}

    async def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Asked: any text is the story (questions included). Not asked: the first message's story."""
        text, intent = latest_text(tracker), intent_of(tracker)
        if intent in NEVER_AN_ANSWER:
            return {}
        if tracker.get_slot("requested_slot") == "description":
            return {"description": text}
        if intent == "request_mediation" and not tracker.get_slot("description"):
            story = services.intake().story_of(text)
            return {"description": story} if story else {}
        return {}

    async def extract_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """'确认' submits; '改一下电话' empties that one field so the form asks it again, then comes back."""
        if tracker.get_slot("requested_slot") != "confirm":
            return {}
        text, intent = latest_text(tracker), intent_of(tracker)
        if intent == "affirm":
            return {"confirm": True}
        field = services.intake().edit_target(text)
        if field:
            cleared = LOCATION_SLOTS if field == "location" else (field,)
            return {**dict.fromkeys(cleared), "confirm": None}
        if intent in NOT_AN_ANSWER:
            return {}
        dispatcher.utter_message(response="utter_ask_which_field")
        return {"confirm": None}

    def validate_dispute_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {"dispute_type": dispute_code(value)}

    def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value or "")
        gazetteer = services.catalog().gazetteer
        location = gazetteer.resolve(text)
        if not location.found:
            dispatcher.utter_message(response="utter_location_not_found", place=text[:20])
            return {"location": None}
        if location.ambiguous:
            choices = location.choices[:8]
            labels = [gazetteer.full_name(p.code) for p in choices]
            dispatcher.utter_message(
                response="utter_location_choose",
                place=choices[0].short_name,
                buttons=[{"title": label, "payload": label} for label in labels],
                json_message={"kind": "ask", "slot": "location", "choices": [p.code for p in choices]},
            )
            return {"location": None}
        return {
            "location": gazetteer.describe(location),
            "county_code": location.county.code if location.county else None,
            "town_code": location.town.code if location.town else None,
            "village_code": location.village.code if location.village else None,
        }

    def validate_counterparty(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {"counterparty": valid_counterparty(str(value or ""))}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        story = valid_description(str(value or ""))
        if story is None:
            dispatcher.utter_message(response="utter_description_too_short")
        return {"description": story}

    def validate_applicant_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        name = services.intake().valid_name(str(value or ""))
        if name is None:
            dispatcher.utter_message(response="utter_invalid_name")
        return {"applicant_name": name}

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        phone = find_phone(str(value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_phone")
        return {"phone": phone}


class ActionAskConfirm(Action):
    """Reads the whole request back before it is sent (the question for the ``confirm`` slot)."""

    def name(self) -> str:
        return "action_ask_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        summary = {
            "dispute_type": services.catalog().dispute_types.name(tracker.get_slot("dispute_type")),
            "location": tracker.get_slot("location") or "",
            "counterparty": tracker.get_slot("counterparty") or "",
            "description": tracker.get_slot("description") or "",
            "applicant_name": tracker.get_slot("applicant_name") or "",
            "phone": tracker.get_slot("phone") or "",
        }
        dispatcher.utter_message(
            response="utter_ask_confirm",
            **summary,
            json_message={"kind": "ask", "slot": "confirm", "summary": summary},
        )
        return []
