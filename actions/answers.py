"""Sending what the legal actions say: an answer with its payload, and 'did you mean' or 'no entry' choices."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text, log_safely
from bot import services
from bot.knowledge.entries import Entry
from bot.legal import decisions
from bot.legal.audience import DEFAULT_AUDIENCE
from bot.legal.payloads import answer_payload, citation_line, out_of_scope_payload
from bot.legal.two_questions import second_question


def audience_of(tracker: Tracker, text: str) -> str:
    """Inferred from this message when it says (我今年72了), else the conversation's, else general."""
    return services.audience_rules().infer(text) or tracker.get_slot("audience") or DEFAULT_AUDIENCE


def entry_by_id(kb_id: Any) -> Entry | None:
    return services.catalog().entries_by_id.get(str(kb_id)) if kb_id else None


def send_answer(dispatcher: CollectingDispatcher, entry: Entry, audience: str, confidence: float) -> None:
    """The answer, its cited articles and next steps, then the mediation offer where the entry has one. A loose
    match first says which question it answers ("我理解您问的是：…")."""
    catalog = services.catalog()
    steps = "\n".join(f"· {catalog.next_steps[code]}" for code in entry.next_steps)
    loose = decisions.loose(confidence)
    dispatcher.utter_message(
        response="utter_legal_answer_loose" if loose else "utter_legal_answer",
        question=entry.question,
        answer=entry.answer,
        citations=citation_line(entry, catalog.statutes),
        next_steps=steps,
        json_message={**answer_payload(entry, audience, catalog.statutes, confidence), "loose": loose},
    )
    if entry.offer_mediation:
        dispatcher.utter_message(response="utter_offer_mediation")


def offer_second_question(
    dispatcher: CollectingDispatcher, text: str, answered: Entry, audience: str
) -> None:
    """A message that asked two things: after the main answer, the second question as a button."""
    second = second_question(services.retriever(), services.question_parts(), text, answered, audience)
    if second is not None:
        dispatcher.utter_message(
            response="utter_offer_second_question",
            question=second.question,
            buttons=[{"title": second.question, "payload": f'/ask_legal{{"kb_id":"{second.id}"}}'}],
        )


def send_choices(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    question: str,
    response: str,
    exclude: str | None = None,
) -> list[dict[str, Any]]:
    """Up to three nearest entries as buttons (payload kind ``fallback``), and a log row for the educators."""
    return _with_suggestions(dispatcher, tracker, question, response, {"kind": "fallback"}, exclude)


def send_no_entry(dispatcher: CollectingDispatcher, tracker: Tracker, question: str) -> list[dict[str, Any]]:
    """A legal question the knowledge base cannot answer: say so, send to 12348 / legal aid / a lawyer, and
    still offer the nearest entries in case one of them was meant (payload kind ``out_of_scope``)."""
    payload = out_of_scope_payload(reason="no_entry")
    return _with_suggestions(dispatcher, tracker, question, "utter_no_entry", payload)


def _with_suggestions(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    question: str,
    response: str,
    payload: dict[str, Any],
    exclude: str | None = None,
) -> list[dict[str, Any]]:
    nearest = [e for e in services.retriever().nearest(question, 4) if e.id != exclude][:3]
    buttons = [{"title": e.question, "payload": f'/ask_legal{{"kb_id":"{e.id}"}}'} for e in nearest]
    suggestions = [{"kb_id": e.id, "question": e.question} for e in nearest]
    dispatcher.utter_message(
        response=response, buttons=buttons, json_message={**payload, "suggestions": suggestions}
    )
    log_safely(tracker, kind=payload["kind"], audience=audience_of(tracker, latest_text(tracker)))
    return []
