"""Legal-education actions: answer from the knowledge base, clarify, refuse honestly, and handle emergencies."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_entity, latest_text, log_safely
from bot import services
from bot.answering import answer_payload, citation_line
from bot.knowledge.entries import Entry

EMERGENCY_CATEGORIES = ("violence", "suicide", "child_danger", "scam_transfer", "medical")


def _audience(tracker: Tracker, text: str) -> str:
    """Inferred from this message when it says (我今年72了), else the conversation's, else general."""
    return services.audience_rules().infer(text) or tracker.get_slot("audience") or "general"


def _clarify(dispatcher: CollectingDispatcher, tracker: Tracker, audience: str) -> list[dict[str, Any]]:
    nearest = services.retriever().nearest(latest_text(tracker), 3)
    buttons = [{"title": e.question, "payload": f'/ask_legal{{"kb_id":"{e.id}"}}'} for e in nearest]
    suggestions = [{"kb_id": e.id, "question": e.question} for e in nearest]
    dispatcher.utter_message(
        response="utter_clarify",
        buttons=buttons,
        json_message={"kind": "fallback", "suggestions": suggestions},
    )
    log_safely(tracker, kind="fallback", audience=audience)
    return []


class ActionAnswerLegal(Action):
    """Answers with the best entry for the asker's audience: answer, cited articles, next steps."""

    def name(self) -> str:
        return "action_answer_legal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = latest_text(tracker)
        audience = _audience(tracker, text)
        catalog = services.catalog()
        chosen = latest_entity(tracker, "kb_id")
        by_id = {e.id: e for e in catalog.entries}
        if chosen in by_id:
            entry, confidence = by_id[chosen], 1.0
        else:
            match = services.retriever().match(text, audience)
            if match is None:
                return _clarify(dispatcher, tracker, audience)
            entry, confidence = match.entry, match.score
        self._answer(dispatcher, entry, audience, confidence)
        log_safely(
            tracker,
            kind="answer",
            audience=audience,
            topic=entry.topic,
            kb_id=entry.id,
            confidence=confidence,
        )
        events = [SlotSet("last_kb_id", entry.id)]
        if audience != tracker.get_slot("audience"):
            events.append(SlotSet("audience", audience))
        return events

    @staticmethod
    def _answer(dispatcher: CollectingDispatcher, entry: Entry, audience: str, confidence: float) -> None:
        catalog = services.catalog()
        steps = "\n".join(f"· {catalog.next_steps[code]}" for code in entry.next_steps)
        dispatcher.utter_message(
            response="utter_legal_answer",
            answer=entry.answer,
            citations=citation_line(entry),
            next_steps=steps,
            json_message=answer_payload(entry, audience, catalog.statutes, confidence),
        )
        if entry.offer_mediation:
            dispatcher.utter_message(response="utter_offer_mediation")


class ActionClarify(Action):
    """Not understood: offers the nearest questions as buttons, and the 12348 human route."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return _clarify(dispatcher, tracker, _audience(tracker, latest_text(tracker)))


class ActionOutOfScope(Action):
    """Outside what the knowledge base covers: says so, and points to 12348, legal aid or a lawyer."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        audience = _audience(tracker, latest_text(tracker))
        dispatcher.utter_message(
            response="utter_out_of_scope",
            json_message={"kind": "out_of_scope", "next_steps": ["hotline_12348", "legal_aid"]},
        )
        log_safely(tracker, kind="out_of_scope", audience=audience)
        return []


class ActionEmergency(Action):
    """Danger now: the emergency numbers first, before anything else."""

    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        category = latest_entity(tracker, "emergency_type")
        if category not in EMERGENCY_CATEGORIES:
            category = "violence"
        numbers = {"medical": ["120"], "suicide": ["110", "120", "12355"], "scam_transfer": ["110", "96110"]}
        dispatcher.utter_message(
            response=f"utter_emergency_{category}",
            json_message={
                "kind": "emergency",
                "category": category,
                "call": numbers.get(category, ["110", "120"]),
            },
        )
        log_safely(tracker, kind="emergency", audience=tracker.get_slot("audience"), topic=None)
        return []
