"""action_set_audience: remember who is asking (from a button or inferred from what they said)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_entity, latest_text
from bot import services
from bot.legal.audience import DEFAULT_AUDIENCE


class ActionSetAudience(Action):
    """Sets the ``audience`` slot and confirms in words for that audience."""

    def name(self) -> str:
        return "action_set_audience"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        chosen = latest_entity(tracker, "audience")
        if chosen not in services.catalog().topics.audiences:
            chosen = services.audience_rules().infer(latest_text(tracker)) or DEFAULT_AUDIENCE
        dispatcher.utter_message(
            response=f"utter_audience_set_{chosen}", json_message={"kind": "chitchat", "audience": chosen}
        )
        return [SlotSet("audience", chosen)]
