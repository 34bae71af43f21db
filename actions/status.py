"""action_referral_status: progress of a referral, only for someone who knows the phone's last four digits."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text
from bot import services
from bot.db.session import session_scope
from bot.mediation.intake import parse_status_query
from bot.mediation.payloads import org_of
from bot.mediation.referrals import find_for_status


class ActionReferralStatus(Action):
    """Reference + last four digits → status and history; any mismatch gets the same 'not found' reply."""

    def name(self) -> str:
        return "action_referral_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        vocabulary = services.intake()
        attempts = int(tracker.get_slot("status_attempts") or 0)
        if attempts >= vocabulary.max_status_attempts:
            dispatcher.utter_message(response="utter_status_locked", json_message={"kind": "referral_status"})
            return []
        reference, last4 = parse_status_query(latest_text(tracker))
        reference = reference or tracker.get_slot("referral_reference")
        if not reference or not last4:
            dispatcher.utter_message(response="utter_status_ask_reference")
            return []
        found = await asyncio.to_thread(_lookup, reference, last4)  # the database never blocks the loop
        if found is None:
            dispatcher.utter_message(
                response="utter_status_not_found",
                json_message={"kind": "referral_status", "found": False},
            )
            return [SlotSet("status_attempts", attempts + 1)]
        payload, texts = found
        dispatcher.utter_message(response="utter_referral_status", **texts, json_message=payload)
        return [SlotSet("status_attempts", 0)]


def _lookup(reference: str, last4: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The reply's payload and texts for a matching referral, read in one session; None when nothing matches."""
    with session_scope() as session:
        referral = find_for_status(session, reference, last4)
        if referral is None:
            return None
        org = referral.organization
        payload = {
            "kind": "referral_status",
            "found": True,
            "reference": referral.reference,
            "status": referral.status,
            "org": org_of(services.catalog().gazetteer, org),
            "history": [{"status": e.status, "at": e.created_at.isoformat()} for e in referral.events],
        }
        texts = {
            "reference": referral.reference,
            "org_name": org.name,
            "status": services.catalog().statuses.label(referral.status),
            "updated": referral.updated_at.strftime("%Y-%m-%d %H:%M"),
        }
        return payload, texts
