"""The mediators' status transitions for a referral: which are allowed, and applying one with its history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.models import REFERRAL_STATUSES, Organization, Referral, ReferralEvent
from bot.notify import enqueue

# Resolved, unresolved, declined and withdrawn are final: a new attempt is a new application. "transferred" is
# never a resting state: the referral moves to the target organization and is "submitted" there again.
TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"accepted", "declined", "transferred", "withdrawn"}),
    "accepted": frozenset({"in_mediation", "transferred", "withdrawn"}),
    "in_mediation": frozenset({"resolved", "unresolved", "withdrawn"}),
    "resolved": frozenset(),
    "unresolved": frozenset(),
    "declined": frozenset(),
    "transferred": frozenset(),
    "withdrawn": frozenset(),
}
NOTE_REQUIRED = frozenset({"declined", "unresolved"})
NOTE_MAX = 500  # ReferralEvent.note


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


def allowed(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def next_statuses(current: str) -> tuple[str, ...]:
    """The allowed next statuses, in the order of REFERRAL_STATUSES (for the console's buttons)."""
    return tuple(s for s in REFERRAL_STATUSES if allowed(current, s))


def _check(
    session: Session, referral: Referral, new_status: str, note: str, target_org_id: str | None
) -> Organization | None:
    """Raise the specific WorkflowError for a refused change; the transfer target when there is one."""
    if not allowed(referral.status, new_status):
        raise InvalidTransition(f"{referral.status} → {new_status} is not allowed")
    if new_status in NOTE_REQUIRED and not note:
        raise NoteRequired(f"{new_status} needs a note")
    if len(note) > NOTE_MAX:
        raise NoteTooLong(f"a note has at most {NOTE_MAX} characters")
    if new_status != "transferred":
        return None
    target = session.get(Organization, target_org_id) if target_org_id else None
    if target is None or target.id == referral.org_id:
        raise InvalidTransferTarget("transfer needs another existing organization")
    return target


def change_status(
    session: Session,
    referral: Referral,
    new_status: str,
    actor: str,
    note: str,
    now: datetime,
    target_org_id: str | None = None,
) -> list[ReferralEvent]:
    """Apply one transition inside the caller's transaction: history event(s), the referral, and a notice
    for a WeChat applicant. A transfer records "transferred" at the old organization, then "submitted" at
    the new one. Nothing is written when the change is refused (a WorkflowError is raised first)."""
    note = (note or "").strip()
    target = _check(session, referral, new_status, note, target_org_id)
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
        referral.status = "submitted"
        events.append(
            ReferralEvent(
                referral_id=referral.id,
                status="submitted",
                note="",
                actor=actor,
                org_id=target.id,
                created_at=now,
            )
        )
    referral.updated_at = now
    referral.events.extend(events)  # keeps a loaded history in step
    session.flush()
    enqueue(session, referral, new_status, now)
    return events
