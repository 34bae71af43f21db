"""Retention (`bot retention run`): personal fields of long-closed referrals emptied, old question-log rows folded
into monthly counts and deleted, idle WeChat contacts forgotten, old conversations deleted from the tracker store;
anonymous statistics stay."""

from __future__ import annotations

import calendar
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import String, cast, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.conversation_retention import prune_conversations
from bot.db.models import QaLog, QuestionCount, Referral, ReferralEvent, WeChatContact
from bot.db.session import get_engine, session_scope
from bot.mediation.statuses import TRANSFERRED, Statuses
from bot.settings import Settings

# What a referral keeps: reference, organization, dispute type, place codes, channel, status, route reason,
# dates and its history's steps (status, organization, staff actor, time). Everything the citizen or a mediator
# wrote in their own words may name or locate a person, so it goes with the name and phone.
ANONYMOUS = {
    "applicant_name_enc": "",
    "phone_enc": "",
    "phone_last4": "",
    "counterparty": "",
    "description": "",
    "place_text": "",
    "sender_hash": "",
}


@dataclass(frozen=True)
class RetentionReport:
    """What one run removed (or, in a dry run, would remove)."""

    referrals_anonymised: int
    event_notes_cleared: int
    questions_deleted: int
    contacts_deleted: int
    dry_run: bool
    conversation_events_deleted: int = 0

    def lines(self) -> list[str]:
        verb = "would be" if self.dry_run else "were"
        return [
            f"{self.referrals_anonymised} closed referrals {verb} stripped of personal data "
            f"({self.event_notes_cleared} history notes)",
            f"{self.questions_deleted} question-log rows {verb} deleted (kept as monthly counts)",
            f"{self.contacts_deleted} idle WeChat contacts {verb} deleted",
            f"{self.conversation_events_deleted} conversation events {verb} deleted from the tracker store",
        ]

    def summary(self) -> str:
        """One short line (the job runner's outcome)."""
        return (
            f"{self.referrals_anonymised} referrals anonymised, {self.questions_deleted} questions deleted, "
            f"{self.contacts_deleted} contacts deleted, {self.conversation_events_deleted} conversation events deleted"
        )


def months_before(moment: datetime, months: int) -> datetime:
    """The same time ``months`` calendar months earlier (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def final_statuses(statuses: Statuses) -> tuple[str, ...]:
    """Statuses with nowhere to go (transferred only passes through)."""
    return tuple(code for code in statuses.codes if code not in statuses.open and code != TRANSFERRED)


def _expired_referrals(statuses: Statuses, cutoff: datetime) -> Select:
    """Ids of referrals in a final status whose last step is older than ``cutoff`` and not yet anonymised."""
    last_step = (
        select(ReferralEvent.referral_id, func.max(ReferralEvent.created_at).label("at"))
        .group_by(ReferralEvent.referral_id)
        .subquery()
    )
    return (
        select(Referral.id)
        .join(last_step, last_step.c.referral_id == Referral.id)
        .where(Referral.status.in_(final_statuses(statuses)), Referral.anonymised_at.is_(None))
        .where(last_step.c.at < cutoff)
    )


def _count(session: Session, query: Select) -> int:
    return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def _fold_questions(session: Session, cutoff: datetime) -> None:
    """Add the rows older than ``cutoff`` to question_counts (month, channel, audience, kind, topic)."""
    rows = session.execute(
        select(QaLog.created_at, QaLog.channel, QaLog.audience, QaLog.kind, QaLog.topic).where(
            QaLog.created_at < cutoff
        )
    )
    counts: dict[tuple[str, str, str, str, str], int] = {}
    for at, channel, audience, kind, topic in rows:
        key = (f"{at:%Y-%m}", channel, audience, kind, topic or "")
        counts[key] = counts.get(key, 0) + 1
    for (month, channel, audience, kind, topic), n in sorted(counts.items()):
        existing = session.execute(
            select(QuestionCount).where(
                QuestionCount.month == month,
                QuestionCount.channel == channel,
                QuestionCount.audience == audience,
                QuestionCount.kind == kind,
                QuestionCount.topic == topic,
            )
        ).scalar_one_or_none()
        if existing is None:
            session.add(
                QuestionCount(
                    month=month, channel=channel, audience=audience, kind=kind, topic=topic, count=n
                )
            )
        else:
            existing.count += n
    session.flush()


def apply_retention(
    session: Session,
    statuses: Statuses,
    now: datetime,
    referral_months: int,
    question_months: int,
    dry_run: bool = False,
) -> RetentionReport:
    """One retention pass inside the caller's transaction; with ``dry_run`` nothing is changed, only counted."""
    now = now.astimezone(timezone.utc)
    referral_cutoff = months_before(now, referral_months)
    question_cutoff = months_before(now, question_months)
    expired = _expired_referrals(statuses, referral_cutoff)
    notes = ReferralEvent.referral_id.in_(expired) & (ReferralEvent.note != "")
    old_questions = QaLog.created_at < question_cutoff
    # A contact is an encrypted OpenID: kept while it may still get a notice about a referral that stays.
    live_senders = select(Referral.sender_hash).where(
        Referral.anonymised_at.is_(None), Referral.sender_hash != "", Referral.id.notin_(expired)
    )
    idle_contacts = (WeChatContact.last_inbound_at < referral_cutoff) & WeChatContact.sender_hash.notin_(
        live_senders
    )
    report = RetentionReport(
        referrals_anonymised=_count(session, expired),
        event_notes_cleared=_count(session, select(ReferralEvent.id).where(notes)),
        questions_deleted=_count(session, select(QaLog.id).where(old_questions)),
        contacts_deleted=_count(session, select(WeChatContact.sender_hash).where(idle_contacts)),
        dry_run=dry_run,
    )
    if dry_run:
        return report
    connection = session.connection()
    if connection.dialect.name == "sqlite":  # overwrite what is deleted instead of leaving it in free pages
        connection.exec_driver_sql("PRAGMA secure_delete=ON")
    unsynced = {"synchronize_session": False}
    session.execute(delete(WeChatContact).where(idle_contacts).execution_options(**unsynced))
    session.execute(update(ReferralEvent).where(notes).values(note="").execution_options(**unsynced))
    session.execute(
        update(Referral)
        .where(Referral.id.in_(expired))
        .values(
            **ANONYMOUS,
            # The conversation key is a hash of the sender id; the row's own id keeps it unique.
            conversation_key="anonymised-" + cast(Referral.id, String),
            anonymised_at=now,
            updated_at=Referral.updated_at,  # a statistics date: not the time of this run
        )
        .execution_options(**unsynced)
    )
    _fold_questions(session, question_cutoff)
    session.execute(delete(QaLog).where(old_questions).execution_options(**unsynced))
    return report


def run_retention(settings: Settings, now: datetime, dry_run: bool = False) -> RetentionReport:
    """Apply the configured retention periods to the configured database (in one transaction), then to the
    conversations in Rasa's tracker store."""
    with session_scope(settings.db_url) as session:
        report = apply_retention(
            session,
            Statuses.load(settings.knowledge_dir),
            now,
            settings.retention_referral_months,
            settings.retention_question_log_months,
            dry_run,
        )
    engine = get_engine(settings.db_url)
    if not dry_run and engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # outside a transaction: old page versions leave the WAL file
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")  # (partly, while others are reading)
        finally:
            raw.close()
    cutoff = now.timestamp() - settings.retention_conversation_days * 86_400
    deleted = prune_conversations(settings.tracker_url, cutoff, dry_run)
    return dataclasses.replace(report, conversation_events_deleted=deleted)
