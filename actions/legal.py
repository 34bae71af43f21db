"""Legal-education actions: answer from the knowledge base, clarify, refuse honestly, and handle emergencies."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import (
    audience_of,
    entry_by_id,
    offer_second_question,
    send_answer,
    send_choices,
    send_no_entry,
)
from actions.common import intent_of, latest_entity, latest_text, log_safely
from bot import services
from bot.legal import decisions
from bot.legal.payloads import emergency_payload, out_of_scope_payload


class ActionAnswerLegal(Action):
    """Answers with the best entry for the asker's audience; a short follow-up is read with the last question.
    Also runs for an ``inform`` outside the intake: the model took a question ("车祸误工费点计") for a form answer."""

    def name(self) -> str:
        return "action_answer_legal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = latest_text(tracker)
        audience = audience_of(tracker, text)
        question = text
        entry = entry_by_id(latest_entity(tracker, "kb_id"))
        confidence = 1.0
        if entry is None:
            last = entry_by_id(tracker.get_slot("last_kb_id"))
            match = services.retriever().match_in_context(
                text, tracker.get_slot("last_question"), last.topic if last else None, audience
            )
            if match is None:
                if decisions.clarify_unanswered(text, intent_of(tracker)):
                    return send_choices(dispatcher, tracker, text, "utter_clarify")
                # A question in words, but nothing in the knowledge base answers it: say so honestly.
                return send_no_entry(dispatcher, tracker, text)
            if decisions.refer_outside(services.retriever().outside_probability(text), match.score):
                return send_no_entry(dispatcher, tracker, text)
            entry, confidence, question = match.entry, match.score, match.query
        urgent = services.emergency_rules().urgent_for_topic(text, entry.topic)
        if urgent is not None:  # the money has just gone: the police and the bank come before the answer
            dispatcher.utter_message(
                response=f"utter_emergency_{urgent.code}", json_message=emergency_payload(urgent)
            )
            log_safely(tracker, kind="emergency", audience=audience)
        send_answer(dispatcher, entry, audience, confidence)
        if latest_entity(tracker, "kb_id") is None:
            offer_second_question(dispatcher, text, entry, audience)
        log_safely(
            tracker,
            kind="answer",
            audience=audience,
            topic=entry.topic,
            kb_id=entry.id,
            confidence=confidence,
        )
        events = [SlotSet("last_kb_id", entry.id), SlotSet("last_question", question)]
        if audience != tracker.get_slot("audience"):
            events.append(SlotSet("audience", audience))
        return events


class ActionClarify(Action):
    """Not understood: offers the nearest questions as buttons and the 12348 route; a sentence near nothing we
    know gets the honest out-of-scope reply instead."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = latest_text(tracker)
        if decisions.in_words(text) and services.retriever().match(text) is None:
            return send_no_entry(dispatcher, tracker, text)
        return send_choices(dispatcher, tracker, text, "utter_clarify")


class ActionOutOfScope(Action):
    """Outside what the knowledge base covers: says so, and points to 12348, legal aid or a lawyer. A question
    the model called out of scope that names no out-of-scope subject (knowledge/legal/scope.yml) and is very close
    to a stored one, or that the retriever's scope classifier is sure the knowledge base covers, is answered."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = latest_text(tracker)
        outside = services.scope_rules().is_outside(text)
        retriever = services.retriever()
        match = None if outside else retriever.match(text, audience_of(tracker, text))
        probability = retriever.outside_probability(text) if match is not None else 1.0
        if decisions.answer_despite_out_of_scope(match, outside, probability):
            return await ActionAnswerLegal().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_out_of_scope", json_message=out_of_scope_payload())
        log_safely(tracker, kind="out_of_scope", audience=audience_of(tracker, text))
        return []


class ActionEmergency(Action):
    """Danger now: the numbers for this kind of danger first (knowledge/legal/emergency.yml), before anything."""

    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        category = services.emergency_rules().category(latest_entity(tracker, "emergency_type"))
        dispatcher.utter_message(
            response=f"utter_emergency_{category.code}", json_message=emergency_payload(category)
        )
        log_safely(tracker, kind="emergency", audience=tracker.get_slot("audience"))
        # Safety first, then the question itself when it clearly is one ("他说要打死我，算不算家暴").
        text = latest_text(tracker)
        audience = audience_of(tracker, text)
        match = services.retriever().match(text, audience)
        if match is None or not decisions.answer_after_emergency(match):
            return []
        send_answer(dispatcher, match.entry, audience, match.score)
        return [SlotSet("last_kb_id", match.entry.id), SlotSet("last_question", text)]
