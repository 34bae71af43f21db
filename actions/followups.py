"""Follow-ups on the last answer: 说简单点, 再说一遍, 看法条原文, 不是这个意思."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import audience_of, entry_by_id, send_answer, send_choices
from actions.common import latest_text
from bot import services
from bot.knowledge.entries import Entry
from bot.legal.payloads import answer_payload


def _last(dispatcher: CollectingDispatcher, tracker: Tracker) -> Entry | None:
    entry = entry_by_id(tracker.get_slot("last_kb_id"))
    if entry is None:
        dispatcher.utter_message(response="utter_nothing_to_follow", json_message={"kind": "fallback"})
    return entry


class ActionExplainSimpler(Action):
    """The short plain version of the last answer."""

    def name(self) -> str:
        return "action_explain_simpler"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        entry = _last(dispatcher, tracker)
        if entry is not None:
            audience = audience_of(tracker, latest_text(tracker))
            payload = answer_payload(entry, audience, services.catalog().statutes, 1.0)
            dispatcher.utter_message(
                response="utter_simple_answer", simple=entry.simple, json_message=payload
            )
        return []


class ActionRepeatAnswer(Action):
    """The last answer again, in full."""

    def name(self) -> str:
        return "action_repeat_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        entry = _last(dispatcher, tracker)
        if entry is not None:
            send_answer(dispatcher, entry, audience_of(tracker, latest_text(tracker)), 1.0)
        return []


class ActionShowArticle(Action):
    """The full text of every article the last answer cited, read from the statute files."""

    def name(self) -> str:
        return "action_show_article"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        entry = _last(dispatcher, tracker)
        if entry is None:
            return []
        payload = answer_payload(
            entry, audience_of(tracker, latest_text(tracker)), services.catalog().statutes, 1.0
        )
        for index, cited in enumerate(payload["citations"]):
            dispatcher.utter_message(
                response="utter_article_text",
                cited=cited["cited_as"],
                text=cited["text"],
                json_message=payload if index == 0 else None,
            )
        return []


class ActionNotThis(Action):
    """The answer missed: other entries near the last question, as buttons, and the human route."""

    def name(self) -> str:
        return "action_not_this"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = tracker.get_slot("last_question") or latest_text(tracker)
        return send_choices(
            dispatcher, tracker, question, "utter_not_this", exclude=tracker.get_slot("last_kb_id")
        )
