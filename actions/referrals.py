"""action_submit_mediation and action_cancel_mediation: store the referral once, or leave no trace."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel_of
from actions.form_answers import GIVE_UP_AFTER, MISSES, clear_form
from bot import services
from bot.db.session import session_scope
from bot.mediation.disputes import OTHER
from bot.mediation.intake import conversation_key
from bot.mediation.payloads import org_of
from bot.mediation.referrals import Application, create_referral, route_application
from bot.mediation.routing import RouteDecision, RouteRequest
from bot.privacy import sender_hash
from bot.settings import get_settings

logger = logging.getLogger(__name__)


def intake_started(tracker: Tracker) -> object:
    """When this intake's form was first activated ("" if unknown): one intake, one referral, however often the
    form is resumed (after a question in between, or a failed submission) before its answers are cleared."""
    started: object = ""
    for event in tracker.events:
        if (
            event.get("event") == "slot"
            and event.get("name") == "dispute_type"
            and event.get("value") is None
        ):
            started = ""  # clear_form: the next activation starts a new intake
        elif event.get("event") == "active_loop" and event.get("name") == "mediation_form" and not started:
            started = event.get("timestamp") or ""
    return started


def route_request(tracker: Tracker) -> RouteRequest:
    return RouteRequest(
        dispute_type=tracker.get_slot("dispute_type") or OTHER,
        county_code=tracker.get_slot("county_code"),
        town_code=tracker.get_slot("town_code"),
        village_code=tracker.get_slot("village_code"),
    )


def application_of(tracker: Tracker) -> Application:
    slot = tracker.get_slot
    return Application(
        conversation_key=conversation_key(tracker.sender_id, intake_started(tracker)),
        dispute_type=slot("dispute_type") or OTHER,
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


def decision_org(decision: RouteDecision) -> dict[str, Any]:
    return org_of(services.catalog().gazetteer, decision.org)


def _route(request: RouteRequest) -> RouteDecision:
    with session_scope() as session:
        return route_application(session, services.catalog(), request)


def _store(request: RouteRequest, application: Application) -> tuple[RouteDecision, str]:
    """Route and store the referral in one transaction; returns the decision and the reference."""
    with session_scope() as session:
        decision = route_application(session, services.catalog(), request)
        referral, _created = create_referral(
            session, application, decision.org.id, decision.reason, services.cipher()
        )
        return decision, referral.reference


async def refuse_for_consent(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Consent refused: nothing is stored, and the citizen gets the chosen organization's public contact."""
    decision = await asyncio.to_thread(_route, route_request(tracker))  # the database never blocks the loop
    contact = decision.org.phone or decision.org.address or services.intake().contact_unknown
    dispatcher.utter_message(
        response="utter_consent_refused",
        org_name=decision.org.name,
        org_contact=contact,
        json_message={"kind": "cancelled", "reason": "consent_refused", "org": decision_org(decision)},
    )


def already_handled(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(
        response="utter_already_handled", json_message={"kind": "cancelled", "reason": "already_handled"}
    )


class ActionSubmitMediation(Action):
    """Runs when the intake form ends: routes the dispute, stores the referral in one transaction and tells the
    citizen the reference; or, when the form ended early (already with a court or the police, consent refused,
    answers it could not read), says why and stores nothing."""

    def name(self) -> str:
        return "action_submit_mediation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot("court_or_police") is True:
            already_handled(dispatcher)
            return clear_form()
        if tracker.get_slot("consent") is False:
            await refuse_for_consent(dispatcher, tracker)
            return clear_form()
        if int(tracker.get_slot(MISSES) or 0) >= GIVE_UP_AFTER:
            dispatcher.utter_message(
                response="utter_intake_gave_up",
                json_message={"kind": "cancelled", "reason": "not_understood"},
            )
            return clear_form()
        if not (tracker.get_slot("consent") and tracker.get_slot("confirm") and tracker.get_slot("phone")):
            dispatcher.utter_message(response="utter_mediation_cancelled", json_message={"kind": "cancelled"})
            return clear_form()
        try:
            decision, reference = await asyncio.to_thread(
                _store, route_request(tracker), application_of(tracker)
            )
        except Exception as error:  # nothing was written (one transaction); the answers stay for a retry
            logger.error("referral submit failed: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_submit_failed", json_message={"kind": "fallback"})
            return [SlotSet("confirm", None), ActiveLoop("mediation_form")]  # asks to confirm again
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
    """The citizen cancels the intake ("算了"): nothing is stored."""

    def name(self) -> str:
        return "action_cancel_mediation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        asked = tracker.get_slot("requested_slot")
        if asked == "consent":  # "算了" when asked for consent is a refusal
            await refuse_for_consent(dispatcher, tracker)
        else:
            dispatcher.utter_message(response="utter_mediation_cancelled", json_message={"kind": "cancelled"})
        return [*clear_form(), ActiveLoop(None)]
