"""action_referral_status: progress of a referral, only for someone who knows the phone's last four digits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text
from bot import services
from bot.db.session import session_scope
from bot.mediation.intake import parse_status_query
from bot.mediation.lookup_limits import LookupLimits
from bot.mediation.payloads import org_of
from bot.mediation.referrals import find_for_status
from bot.privacy import sender_hashes
from bot.settings import get_settings

Found = tuple[dict[str, Any], dict[str, str]]  # the reply's payload and texts


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class ActionReferralStatus(Action):
    """Reference + last four digits → status and history. Any mismatch gets the same 'not found' reply, and too
    many misses on a reference or from a client (across conversations) the same 'locked' reply."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self.clock = clock

    def name(self) -> str:
        return "action_referral_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reference, last4 = parse_status_query(latest_text(tracker))
        reference = reference or tracker.get_slot("referral_reference")
        if not reference or not last4:
            dispatcher.utter_message(response="utter_status_ask_reference")
            return []
        settings = get_settings()
        clients = sender_hashes(tracker.sender_id, settings.secret_key, settings.previous_secret_keys)
        limits = LookupLimits.from_settings(settings)
        # The database never blocks the loop.
        locked, found = await asyncio.to_thread(_lookup, limits, reference, last4, clients, self.clock())
        if locked:
            dispatcher.utter_message(response="utter_status_locked", json_message={"kind": "referral_status"})
        elif found is None:
            dispatcher.utter_message(
                response="utter_status_not_found",
                json_message={"kind": "referral_status", "found": False},
            )
        else:
            payload, texts = found
            dispatcher.utter_message(response="utter_referral_status", **texts, json_message=payload)
        return []


def _lookup(
    limits: LookupLimits, reference: str, last4: str, clients: Sequence[str], now: datetime
) -> tuple[bool, Found | None]:
    """(locked, found), read in one session: locked when the reference or the client has missed too often
    (nothing is read then); found is None when nothing matches (the miss is counted)."""
    with session_scope() as session:
        if limits.locked(session, reference, clients, now):
            return True, None
        referral = find_for_status(session, reference, last4)
        if referral is None:
            limits.record_miss(session, reference, clients[0], now)
            return False, None
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
        return False, (payload, texts)
