"""SQLAlchemy table models for our own data; the schema is created and changed only by Alembic migrations."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

Base: Any = declarative_base()

ORG_KINDS = ("village", "town", "county", "city", "industry", "stationed", "studio")
USER_ROLES = ("mediator", "educator", "admin")
# pending: not delivered yet; sending: claimed by the dispatcher; sent: pushed as a customer-service message;
# shown: prepended to a reply to the citizen's own message; failed: pushing given up (still shown on their next message).
NOTIFICATION_STATUSES = ("pending", "sending", "sent", "shown", "failed")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Organization(Base):
    """A people's mediation organization in the directory (imported from knowledge/orgs/)."""

    __tablename__ = "organizations"
    id = Column(String(40), primary_key=True)
    name = Column(String(200), nullable=False)
    kind = Column(String(20), nullable=False, index=True)
    county_code = Column(String(6), nullable=True, index=True)
    town_code = Column(String(9), nullable=True, index=True)
    village_code = Column(String(12), nullable=True, index=True)
    dispute_types = Column(String(300), nullable=False, default="")
    address = Column(String(300), nullable=False, default="")
    phone = Column(String(40), nullable=False, default="")
    capacity = Column(Integer, nullable=False, default=10)
    illustrative = Column(Boolean, nullable=False, default=False)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class Referral(Base):
    """A mediation request handed to one organization; name and phone are stored encrypted."""

    __tablename__ = "referrals"
    id = Column(Integer, primary_key=True)
    reference = Column(String(24), nullable=False, unique=True)
    conversation_key = Column(String(128), nullable=False, unique=True)
    org_id = Column(String(40), ForeignKey("organizations.id"), nullable=False, index=True)
    dispute_type = Column(String(30), nullable=False)
    county_code = Column(String(6), nullable=True)
    town_code = Column(String(9), nullable=True)
    village_code = Column(String(12), nullable=True)
    place_text = Column(String(200), nullable=False, default="")
    counterparty = Column(String(100), nullable=False, default="")
    description = Column(Text, nullable=False, default="")
    applicant_name_enc = Column(Text, nullable=False)
    phone_enc = Column(Text, nullable=False)
    phone_last4 = Column(String(4), nullable=False)
    consent_at = Column(DateTime(timezone=True), nullable=False)
    channel = Column(String(20), nullable=False, default="web")
    sender_hash = Column(String(64), nullable=False, default="", index=True)
    status = Column(
        String(20), nullable=False, default="submitted", index=True
    )  # knowledge/mediation/statuses.yml
    route_reason = Column(String(300), nullable=False, default="")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    # Set by `bot retention run`: the personal fields were emptied (bot/retention.py); the rest is statistics.
    anonymised_at = Column(DateTime(timezone=True), nullable=True)

    organization = relationship(Organization)
    events = relationship("ReferralEvent", order_by="ReferralEvent.id", back_populates="referral")


class ReferralEvent(Base):
    """One step in a referral's status history."""

    __tablename__ = "referral_events"
    id = Column(Integer, primary_key=True)
    referral_id = Column(Integer, ForeignKey("referrals.id"), nullable=False, index=True)
    status = Column(String(20), nullable=False)
    note = Column(String(500), nullable=False, default="")
    actor = Column(String(80), nullable=False, default="system")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    org_id = Column(String(40), nullable=True)  # the organization holding the referral at this step

    referral = relationship(Referral, back_populates="events")


class StatusLookupMiss(Base):
    """One failed status query (wrong key or no such reference), counted per reference and per client (no
    personal data: the key is a reference as typed or a sender_hash). Rows older than the window are deleted."""

    __tablename__ = "status_lookup_misses"
    __table_args__ = (Index("ix_status_lookup_misses_scope_key", "scope", "key", "missed_at"),)
    id = Column(Integer, primary_key=True)
    scope = Column(String(10), nullable=False)  # "reference" or "client"
    key = Column(String(64), nullable=False)
    missed_at = Column(DateTime(timezone=True), nullable=False, index=True)


class User(Base):
    """A staff account for the console: a mediator of one organization, an educator or an admin."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username"),)
    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False)
    password_hash = Column(String(300), nullable=False)
    role = Column(String(20), nullable=False)
    org_id = Column(String(40), ForeignKey("organizations.id"), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class QaLog(Base):
    """One answered (or not answered) question, with personal data masked, for the educators."""

    __tablename__ = "qa_log"
    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    channel = Column(String(20), nullable=False, default="web")
    audience = Column(String(20), nullable=False, default="general")
    kind = Column(String(20), nullable=False)
    topic = Column(String(40), nullable=True, index=True)
    kb_id = Column(String(40), nullable=True)
    confidence = Column(Float, nullable=True)
    question_masked = Column(Text, nullable=False)


class QuestionCount(Base):
    """Questions of one month by channel, audience, kind and topic: what remains of question-log rows that
    `bot retention run` deleted (topic "" = none)."""

    __tablename__ = "question_counts"
    __table_args__ = (UniqueConstraint("month", "channel", "audience", "kind", "topic"),)
    id = Column(Integer, primary_key=True)
    month = Column(String(7), nullable=False)  # YYYY-MM (UTC)
    channel = Column(String(20), nullable=False)
    audience = Column(String(20), nullable=False)
    kind = Column(String(20), nullable=False)
    topic = Column(String(40), nullable=False)
    count = Column(Integer, nullable=False)


class JobRun(Base):
    """The last scheduled run of one periodic job (bot/ops/jobs.py); claimed with a conditional UPDATE."""

    __tablename__ = "job_runs"
    name = Column(String(40), primary_key=True)
    last_slot = Column(DateTime(timezone=True), nullable=True)  # the scheduled time last claimed
    started_at = Column(DateTime(timezone=True), nullable=True)
    finished_at = Column(DateTime(timezone=True), nullable=True)
    outcome = Column(String(200), nullable=False, default="")


class WeChatContact(Base):
    """A WeChat user who may have applied: the OpenID encrypted, keyed by the referrals' sender_hash."""

    __tablename__ = "wechat_contacts"
    sender_hash = Column(String(64), primary_key=True)
    openid_enc = Column(Text, nullable=False)
    last_inbound_at = Column(DateTime(timezone=True), nullable=False, index=True)


class Notification(Base):
    """Outbox: one status notice for a WeChat applicant (no personal data; last_error is a short code)."""

    __tablename__ = "notifications"
    id = Column(Integer, primary_key=True)
    referral_id = Column(Integer, ForeignKey("referrals.id"), nullable=False, index=True)
    referral_status = Column(String(20), nullable=False)
    status = Column(String(20), nullable=False, default="pending", index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True), nullable=True)
    shown_at = Column(DateTime(timezone=True), nullable=True)
    claimed_at = Column(
        DateTime(timezone=True), nullable=True
    )  # status "sending" since (renewed before each try)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(20), nullable=True)

    referral = relationship(Referral)


# pending: waiting for (another) try; sending: claimed by a delivery worker; sent: delivered; failed: given up.
ORG_NOTICE_STATUSES = ("pending", "sending", "sent", "failed")


class OrgNotice(Base):
    """Outbox: one notice to a mediation organization that a referral arrived or left, written in the same
    transaction as the change; ``key`` is the idempotency key every delivery of it carries (no personal data)."""

    __tablename__ = "org_notices"
    id = Column(Integer, primary_key=True)
    key = Column(String(32), nullable=False, unique=True)
    referral_id = Column(Integer, ForeignKey("referrals.id"), nullable=False, index=True)
    org_id = Column(String(40), ForeignKey("organizations.id"), nullable=False, index=True)
    event = Column(String(20), nullable=False)  # created / transferred_in / withdrawn
    status = Column(String(20), nullable=False, default="pending", index=True)
    channel = Column(String(20), nullable=True)  # the channel of the last try
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    claimed_at = Column(DateTime(timezone=True), nullable=True)
    last_error = Column(String(20), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True), nullable=True)

    referral = relationship(Referral)
