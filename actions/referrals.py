"""action_submit_mediation and action_cancel_mediation: store the referral once, or leave no trace."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel_of
from actions.intake import clear_form, conversation_key, decision_org, route
from bot import services
from bot.db.session import session_scope
from bot.privacy import sender_hash
from bot.referrals import Intake, create_referral
from bot.settings import get_settings

logger = logging.getLogger(__name__)


def _intake(tracker: Tracker) -> Intake:
    slot = tracker.get_slot
    return Intake(
        conversation_key=conversation_key(tracker),
        dispute_type=slot("dispute_type") or "other",
        county_code=slot("county_code"),
        town_code=slot("town_code"),
        village_code=slot("village_code"),
        place_text=slot("location") or "",
        counterparty=slot("counterparty") or "",
        description=slot("description") or "",
        applicant_name=slot("applicant_name") or "",
        phone=slot("phone") or "",
        channel=channel_of(tracker),
        sender_hash=sender_hash(tracker.sender_id, get_settings().secret_key),
    )


class ActionSubmitMediation(Action):
    """Routes the dispute, stores the referral in one transaction and tells the citizen the reference."""

    def name(self) -> str:
        return "action_submit_mediation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not (tracker.get_slot("consent") and tracker.get_slot("confirm") and tracker.get_slot("phone")):
            dispatcher.utter_message(response="utter_mediation_cancelled", json_message={"kind": "cancelled"})
            return clear_form()
        try:
            with session_scope() as session:
                decision = route(tracker, session)
                referral, _created = create_referral(
                    session, _intake(tracker), decision.org.id, decision.reason, services.cipher()
                )
                reference = referral.reference
        except Exception as error:
            logger.error("referral submit failed: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_submit_failed", json_message={"kind": "fallback"})
            return []
        payload = {"kind": "referral_created", "reference": reference, "org": decision_org(decision)}
        payload["reason"] = decision.reason
        dispatcher.utter_message(
            response="utter_referral_created",
            reference=reference,
            org_name=decision.org.name,
            reason=decision.reason,
            json_message=payload,
        )
        return [*clear_form(), SlotSet("referral_reference", reference)]


class ActionCancelMediation(Action):
    """Ends the intake without storing anything: cancelled, consent refused, or already with a court/police."""

    def name(self) -> str:
        return "action_cancel_mediation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        asked = tracker.get_slot("requested_slot")
        if asked == "consent":
            with session_scope() as session:
                decision = route(tracker, session)
            contact = decision.org.phone or decision.org.address or "联系方式以司法行政部门公布为准"
            dispatcher.utter_message(
                response="utter_consent_refused",
                org_name=decision.org.name,
                org_contact=contact,
                json_message={
                    "kind": "cancelled",
                    "reason": "consent_refused",
                    "org": decision_org(decision),
                },
            )
        elif asked == "court_or_police":
            dispatcher.utter_message(
                response="utter_already_handled",
                json_message={"kind": "cancelled", "reason": "already_handled"},
            )
        else:
            dispatcher.utter_message(response="utter_mediation_cancelled", json_message={"kind": "cancelled"})
        return [*clear_form(), ActiveLoop(None)]
