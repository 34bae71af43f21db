"""validate_mediation_form, action_ask_location and action_ask_confirm: the intake questions, read from what the citizen
says."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import intent_of, latest_entity, latest_text
from actions.form_answers import (
    GIVE_UP_AFTER,
    HELP_AFTER,
    LOCATION_SLOTS,
    MISSED_AT,
    MISSES,
    NOT_AN_ANSWER,
    answer_when_asked,
    asked,
    buttons_of,
    chosen_payload,
    message_time,
    misses_after,
    model_only_danger,
    never_an_answer,
    payload_entity,
    yes_or_no,
)
from bot import services
from bot.legal.payloads import emergency_payload
from bot.mediation.answers import option_number
from bot.mediation.intake import valid_counterparty, valid_description
from bot.privacy import find_phone

CLOSED = ("court_or_police", "consent")  # yes/no questions
# A yes here ends the intake: the case is already with a court, an arbitration body or the police.
ENDS_ON = {"court_or_police": True, "consent": False}


def dispute_code(value: Any) -> str | None:
    """The dispute type a button, an entity or a typed answer names (by word or by sound)."""
    return services.catalog().dispute_types.answer_code(str(value or ""), services.dialect().fold)


class ValidateMediationForm(FormValidationAction):
    """Normalises answers; picks up what the first message already told; re-asks when unclear."""

    def name(self) -> str:
        return "validate_mediation_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        """Every slot, unless the intake has to end early: a case already with a court or the police, consent
        refused, or too many unreadable answers. Then nothing more is asked and the form ends (the submit action
        says why, and stores nothing)."""
        if int(tracker.get_slot(MISSES) or 0) >= GIVE_UP_AFTER:
            return [slot for slot in domain_slots if tracker.get_slot(slot) is not None]
        for slot, ending in ENDS_ON.items():
            if tracker.get_slot(slot) is ending:
                return domain_slots[: domain_slots.index(slot) + 1]
        return domain_slots

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The slots' validation, then the count of unreadable answers to the question being asked: from the
        second one the buttons, their numbers and 12348 are offered; at the fourth the intake ends."""
        slot = tracker.get_slot("requested_slot")
        attempted = slot is not None and slot in tracker.slots_to_validate()
        events = await super().get_validation_events(dispatcher, tracker, domain)
        if not attempted:
            return events
        values = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
        if values.get(slot) is not None and model_only_danger(tracker):
            # Read as an answer, but the model heard danger: the numbers first, whatever the answer was.
            category = services.emergency_rules().category(None)
            dispatcher.utter_message(
                response=f"utter_emergency_{category.code}", json_message=emergency_payload(category)
            )
        misses = misses_after(tracker, values.get(slot) is not None)
        if HELP_AFTER <= misses < GIVE_UP_AFTER:
            dispatcher.utter_message(response="utter_intake_help", buttons=buttons_of(domain, slot))
        return [*events, SlotSet(MISSES, misses), SlotSet(MISSED_AT, message_time(tracker))]

    async def extract_dispute_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Asked: a button/dispute-word entity or an option number, else the words. Not asked: only fills an empty
        slot, so a later mention ("对方是邻居" in a traffic dispute) never re-types the dispute."""
        entity = latest_entity(tracker, "dispute_type")
        if never_an_answer(tracker):
            return {}
        payload = chosen_payload(tracker, domain, "dispute_type")
        if asked(tracker, "dispute_type") and payload:
            return {"dispute_type": payload_entity(payload, "dispute_type")}
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
        """A message naming a place fills it (even the first one); other text only when the form asked. After a
        choice of places, a typed number picks one of them; Rasa runs this twice per message, and the second run,
        which finds the choices used up and the place filled, keeps it."""
        text = latest_text(tracker)
        choices = tracker.get_slot("location_choices") or []
        number = option_number(text)
        if asked(tracker, "location") and number and number <= len(choices):
            return {"location": choices[number - 1]}
        if asked(tracker, "location") and number and tracker.get_slot("location"):
            return {}
        gazetteer = services.catalog().gazetteer
        if asked(tracker, "location"):
            return answer_when_asked(tracker, "location", gazetteer.resolve(text, by_sound=True).found)
        names_a_place = gazetteer.resolve(text).found
        if names_a_place and not tracker.get_slot("location") and not never_an_answer(tracker):
            return {"location": text}
        return {}

    async def extract_counterparty(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = latest_text(tracker)
        if never_an_answer(tracker):
            return {}
        named = services.intake().counterparty_in(text)
        if tracker.get_slot("requested_slot") == "counterparty":
            answered = answer_when_asked(tracker, "counterparty", named is not None)
            return {"counterparty": named or valid_counterparty(text)} if answered else {}
        return {"counterparty": named} if named and not tracker.get_slot("counterparty") else {}

    async def extract_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Asked: any text is the story (questions included). Not asked: the first message's story."""
        text, intent = latest_text(tracker), intent_of(tracker)
        if never_an_answer(tracker):
            return {}
        if tracker.get_slot("requested_slot") == "description":
            return {"description": text}
        if intent == "request_mediation" and not tracker.get_slot("description"):
            story = services.intake().story_of(text)
            return {"description": story} if story else {}
        return {}

    async def extract_court_or_police(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._closed(tracker, domain, "court_or_police")

    async def extract_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._closed(tracker, domain, "consent")

    @staticmethod
    def _closed(tracker: Tracker, domain: dict[str, Any], slot: str) -> dict[str, Any]:
        """A yes/no question: a button, a number or yes/no in words fills it, whatever DIET thought; a real
        question in the middle is left to the rules; anything else is validated below and asked again."""
        if not asked(tracker, slot) or never_an_answer(tracker):
            return {}
        reading = yes_or_no(tracker, domain, slot)
        if reading is not None:
            return {slot: reading}
        if intent_of(tracker) in NOT_AN_ANSWER - {"greet", "goodbye"}:
            return {}
        return {slot: latest_text(tracker)}

    async def extract_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """'确认' (or yes in other words, or "1") submits; '改一下电话' empties that one field so the form asks it
        again, then comes back."""
        if tracker.get_slot("requested_slot") != "confirm":
            return {}
        text, intent = latest_text(tracker), intent_of(tracker)
        if intent == "affirm" or yes_or_no(tracker, domain, "confirm") is True:
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

    def validate_court_or_police(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._yes_or_no(value, dispatcher, "court_or_police")

    def validate_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return self._yes_or_no(value, dispatcher, "consent")

    @staticmethod
    def _yes_or_no(value: Any, dispatcher: CollectingDispatcher, slot: str) -> dict[str, Any]:
        if isinstance(value, bool):
            return {slot: value}
        dispatcher.utter_message(response="utter_answer_yes_or_no")
        return {slot: None}

    def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        text = str(value or "")
        gazetteer = services.catalog().gazetteer
        location = gazetteer.resolve(text, by_sound=True)  # asked where: a typo that sounds right is read
        if not location.found:
            dispatcher.utter_message(response="utter_location_not_found", place=text[:20])
            return {"location": None, "location_choices": None}
        if location.ambiguous:
            choices = location.choices[:8]
            labels = [gazetteer.full_name(p.code) for p in choices]
            dispatcher.utter_message(
                response="utter_location_choose",
                place=choices[0].short_name,
                buttons=[{"title": label, "payload": label} for label in labels],
                json_message={"kind": "ask", "slot": "location", "choices": [p.code for p in choices]},
            )
            return {"location": None, "location_choices": labels}
        return {
            "location": gazetteer.describe(location),
            "county_code": location.county.code if location.county else None,
            "town_code": location.town.code if location.town else None,
            "village_code": location.village.code if location.village else None,
            "location_choices": None,
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


class ActionAskLocation(Action):
    """Asks where the dispute happened, unless a choice of places was just offered: that message asks already, and
    asking "where?" again under it read as if the choice had been ignored."""

    def name(self) -> str:
        return "action_ask_location"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not tracker.get_slot("location_choices"):
            dispatcher.utter_message(response="utter_ask_location")
        return []


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
