"""Referrals: routing an application against the stored directory, storing it once, finding one for status."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Referral, ReferralEvent
from bot.knowledge.catalog import Catalog
from bot.mediation import org_notices
from bot.mediation.directory import load_rows_from_db, open_case_counts
from bot.mediation.references import new_reference
from bot.mediation.routing import RouteDecision, RouteRequest
from bot.mediation.statuses import FIRST
from bot.privacy import PiiCipher


@dataclass(frozen=True)
class Application:
    """Everything the citizen told us, as collected by the intake conversation."""

    conversation_key: str
    dispute_type: str
    county_code: str | None
    town_code: str | None
    village_code: str | None
    place_text: str
    counterparty: str
    description: str
    applicant_name: str
    phone: str
    channel: str
    sender_hash: str


def route_application(session: Session, catalog: Catalog, request: RouteRequest) -> RouteDecision:
    """Route against the directory as stored, breaking ties by each organization's open cases."""
    router = catalog.router(load_rows_from_db(session))
    return router.route(request, open_case_counts(session, catalog.statuses.open))


def next_reference(session: Session, now: datetime) -> str:
    """A random reference (bot.mediation.references) that no referral has yet."""
    while True:
        reference = new_reference(now)
        if session.execute(select(Referral.id).where(Referral.reference == reference)).first() is None:
            return reference


def find_by_conversation(session: Session, conversation_key: str) -> Referral | None:
    query = select(Referral).where(Referral.conversation_key == conversation_key)
    return session.execute(query).scalar_one_or_none()


def create_referral(
    session: Session,
    application: Application,
    org_id: str,
    reason: str,
    cipher: PiiCipher,
    now: datetime | None = None,
) -> tuple[Referral, bool]:
    """Store the referral and its first history event; a repeated submit returns the first one (created=False)."""
    existing = find_by_conversation(session, application.conversation_key)
    if existing is not None:
        return existing, False
    now = now or datetime.now(timezone.utc)
    savepoint = session.begin_nested()
    try:
        referral = Referral(
            reference=next_reference(session, now),
            conversation_key=application.conversation_key,
            org_id=org_id,
            dispute_type=application.dispute_type,
            county_code=application.county_code,
            town_code=application.town_code,
            village_code=application.village_code,
            place_text=application.place_text,
            counterparty=application.counterparty,
            description=application.description,
            applicant_name_enc=cipher.encrypt(application.applicant_name),
            phone_enc=cipher.encrypt(application.phone),
            phone_last4=application.phone[-4:],
            consent_at=now,
            channel=application.channel,
            sender_hash=application.sender_hash,
            status=FIRST,
            route_reason=reason,
            created_at=now,
            updated_at=now,
        )
        session.add(referral)
        session.flush()
        session.add(
            ReferralEvent(referral_id=referral.id, status=FIRST, note=reason, org_id=org_id, created_at=now)
        )
        org_notices.enqueue(
            session, referral, org_id, "created", now
        )  # the organization is told, or nothing is stored
        session.flush()
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        again = find_by_conversation(session, application.conversation_key)
        if again is None:
            raise
        return again, False
    return referral, True


def find_for_status(session: Session, reference: str, phone_last4: str) -> Referral | None:
    """The referral only when both the reference and the phone's last four digits match (same reply otherwise)."""
    referral = session.execute(select(Referral).where(Referral.reference == reference)).scalar_one_or_none()
    if referral is None:
        hmac.compare_digest("0000", phone_last4)  # same work whether or not the reference exists
        return None
    return referral if hmac.compare_digest(referral.phone_last4, phone_last4) else None
