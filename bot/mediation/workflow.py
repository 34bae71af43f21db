"""The mediators' status changes to a referral: checking one against the statuses, and applying it with its history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.models import Organization, Referral, ReferralEvent
from bot.mediation import org_notices
from bot.mediation.notices import enqueue
from bot.mediation.statuses import FIRST, TRANSFERRED, Statuses

NOTE_MAX = 500  # ReferralEvent.note
WITHDRAWN = "withdrawn"  # the organization is told the applicant withdrew


class WorkflowError(ValueError):
    """A status change that is refused; ``code`` names the reason (a key of the console's messages)."""

    code = "workflow_error"


class InvalidTransition(WorkflowError):
    code = "invalid_transition"


class NoteRequired(WorkflowError):
    code = "note_required"


class NoteTooLong(WorkflowError):
    code = "note_too_long"


class InvalidTransferTarget(WorkflowError):
    code = "invalid_target"


def _check(
    session: Session,
    statuses: Statuses,
    referral: Referral,
    new_status: str,
    note: str,
    target_org_id: str | None,
) -> Organization | None:
    """Raise the specific WorkflowError for a refused change; the transfer target when there is one."""
    if not statuses.allowed(referral.status, new_status):
        raise InvalidTransition(f"{referral.status} → {new_status} is not allowed")
    if new_status in statuses.note_required and not note:
        raise NoteRequired(f"{new_status} needs a note")
    if len(note) > NOTE_MAX:
        raise NoteTooLong(f"a note has at most {NOTE_MAX} characters")
    if new_status != TRANSFERRED:
        return None
    target = session.get(Organization, target_org_id) if target_org_id else None
    if target is None or target.id == referral.org_id:
        raise InvalidTransferTarget("transfer needs another existing organization")
    return target


def change_status(
    session: Session,
    statuses: Statuses,
    referral: Referral,
    new_status: str,
    actor: str,
    note: str,
    now: datetime,
    target_org_id: str | None = None,
) -> list[ReferralEvent]:
    """Apply one transition (allowed by ``statuses``) inside the caller's transaction: history event(s), the
    referral, and a notice for a WeChat applicant. A transfer records "transferred" at the old organization, then
    "submitted" at the new one. Nothing is written when the change is refused (a WorkflowError is raised first)."""
    note = (note or "").strip()
    target = _check(session, statuses, referral, new_status, note, target_org_id)
    events = [
        ReferralEvent(
            referral_id=referral.id,
            status=new_status,
            note=note,
            actor=actor,
            org_id=referral.org_id,
            created_at=now,
        )
    ]
    referral.status = new_status
    if target is not None:
        referral.org_id = target.id
        referral.organization = target
        referral.status = FIRST
        events.append(
            ReferralEvent(
                referral_id=referral.id,
                status=FIRST,
                note="",
                actor=actor,
                org_id=target.id,
                created_at=now,
            )
        )
    referral.updated_at = now
    referral.events.extend(events)  # keeps a loaded history in step
    if target is not None:
        org_notices.enqueue(session, referral, target.id, "transferred_in", now)
    elif new_status == WITHDRAWN:
        org_notices.enqueue(session, referral, referral.org_id, "withdrawn", now)
    session.flush()
    enqueue(session, referral, new_status, now)
    return events
