"""The mediators' view: their organization's referrals, one referral's details and history, and status actions."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Organization, OrgNotice, Referral
from bot.db.session import session_scope
from bot.mediation.statuses import Statuses
from bot.mediation.workflow import WorkflowError, change_status
from bot.privacy import PiiCipher, mask_name, mask_phone, mask_text
from bot.web.console.auth import db_url, login_required
from bot.web.console.csrf import check_csrf

bp = Blueprint("console_referrals", __name__, url_prefix="/console/referrals")
bp.before_request(check_csrf)
ORG_SEARCH_LIMIT = 20
PAGE = 100


def _messages() -> dict[str, Any]:
    return dict(current_app.config["MESSAGES"])


def _statuses() -> Statuses:
    return current_app.config["STATUSES"]


def _cipher() -> PiiCipher:
    return PiiCipher.from_settings(current_app.config["SETTINGS"])


def _contacts(r: Referral, cipher: PiiCipher, own: bool) -> tuple[str, str]:
    """(name, phone) as this user may see them; a referral anonymised by retention says so instead."""
    if r.anonymised_at is not None:
        gone = str(_messages()["console_anonymised"])
        return gone, gone
    name, phone = cipher.decrypt(r.applicant_name_enc), cipher.decrypt(r.phone_enc)
    return (name, phone) if own else (mask_name(name), mask_phone(phone))


SORTS = ("newest", "waiting")  # newest first, or the longest waiting first (since the last status change)


@bp.get("")
@login_required("mediator", "admin")
def index() -> str:
    """Mediators: their organization's referrals; admins: all. Filtered by status and sorted by waiting time on
    request. Names and phones are masked here for everyone: only a mediator's own referral page shows them."""
    statuses = _statuses()
    status = request.args.get("status", "")
    status = status if status in statuses.codes else ""
    sort = request.args.get("sort", "newest")
    sort = sort if sort in SORTS else "newest"
    cipher = _cipher()
    with session_scope(db_url()) as db:
        waiting_since = func.coalesce(Referral.updated_at, Referral.created_at)
        order = waiting_since.asc() if sort == "waiting" else Referral.created_at.desc()
        query = select(Referral).order_by(order, Referral.id).limit(PAGE)
        own = session.get("role") == "mediator"
        if own:
            query = query.where(Referral.org_id == session.get("org_id"))
        if status:
            query = query.where(Referral.status == status)
        elif sort == "waiting":
            query = query.where(Referral.status.in_(statuses.open))
        referrals = list(db.execute(query).scalars())
        failed = set(
            db.execute(
                select(OrgNotice.referral_id).where(
                    OrgNotice.status == "failed", OrgNotice.referral_id.in_([r.id for r in referrals])
                )
            ).scalars()
        )
        rows = []
        for r in referrals:
            name, phone = _contacts(r, cipher, own=False)
            rows.append(
                {
                    "reference": r.reference,
                    "org": r.organization.name,
                    "dispute_type": r.dispute_type,
                    "place": r.place_text,
                    "status": r.status,
                    "created_at": r.created_at,
                    "waiting_since": (r.updated_at or r.created_at) if r.status in statuses.open else None,
                    "phone": phone,
                    "name": name,
                    "notice_failed": r.id in failed,
                }
            )
    return render_template(
        "console/referrals.html", rows=rows, own=own, status=status, sort=sort, codes=statuses.codes
    )


def _load(db: Session, reference: str, for_update: bool = False) -> Referral:
    """The referral, if this user may see it: another organization's is a 404, so existence does not leak."""
    query = select(Referral).where(Referral.reference == reference)
    if for_update:
        query = query.with_for_update()
    referral = db.execute(query).scalar_one_or_none()
    if referral is None or (session.get("role") == "mediator" and referral.org_id != session.get("org_id")):
        abort(404)
    return referral


def _search_orgs(db: Session, referral: Referral, text: str) -> list[dict[str, str]]:
    """Transfer targets whose name contains ``text`` (at most 20; never the current organization)."""
    if not text:
        return []
    query = (
        select(Organization)
        .where(Organization.name.contains(text, autoescape=True), Organization.id != referral.org_id)
        .order_by(Organization.name, Organization.id)
        .limit(ORG_SEARCH_LIMIT)
    )
    return [{"id": o.id, "name": o.name, "kind": o.kind} for o in db.execute(query).scalars()]


def _history(db: Session, referral: Referral, own: bool) -> list[dict[str, Any]]:
    org_ids = {e.org_id for e in referral.events if e.org_id}
    names = {}
    if org_ids:
        query = select(Organization.id, Organization.name).where(Organization.id.in_(org_ids))
        names = {row.id: row.name for row in db.execute(query)}
    return [
        {
            "at": e.created_at,
            "status": e.status,
            "org": names.get(e.org_id, ""),
            "actor": e.actor,
            "note": e.note if own else mask_text(e.note),
        }
        for e in referral.events
    ]


def _org_notices(db: Session, referral: Referral) -> list[dict[str, Any]]:
    """The notices to organizations about this referral: whom, what, and whether it got there."""
    query = select(OrgNotice, Organization.name).join(Organization, Organization.id == OrgNotice.org_id)
    query = query.where(OrgNotice.referral_id == referral.id).order_by(OrgNotice.id)
    return [
        {
            "at": n.created_at,
            "org": name,
            "event": n.event,
            "status": n.status,
            "attempts": n.attempts,
            "error": n.last_error or "",
        }
        for n, name in db.execute(query)
    ]


def _page(reference: str, error: str | None = None, status: int = 200) -> Any:
    cipher = _cipher()
    own = session.get("role") == "mediator"
    query_text = request.args.get("q", "").strip()[:50]
    with session_scope(db_url()) as db:
        r = _load(db, reference)
        name, phone = _contacts(r, cipher, own)
        actions = _statuses().next(r.status) if own else ()
        context = {
            "referral": {
                "reference": r.reference,
                "org": r.organization.name,
                "dispute_type": r.dispute_type,
                "place": r.place_text,
                "counterparty": r.counterparty,
                "description": r.description if own else mask_text(r.description),
                "name": name,
                "phone": phone,
                "status": r.status,
                "channel": r.channel,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            },
            "history": _history(db, r, own),
            "notices": _org_notices(db, r),
            "actions": [a for a in actions if a != "transferred"],
            "can_transfer": "transferred" in actions,
            "q": query_text,
            "orgs": _search_orgs(db, r, query_text) if "transferred" in actions else [],
        }
    return render_template(
        "console/referral.html", own=own, error=error, action_labels=_statuses().actions, **context
    ), status


@bp.get("/<reference>")
@login_required("mediator", "admin")
def detail(reference: str) -> Any:
    """Mediators: their organization's referral with contacts; admins: any referral, contacts masked."""
    return _page(reference)


@bp.post("/<reference>/status")
@login_required("mediator")
def change(reference: str) -> Any:
    """Apply one status action; only the owning organization's mediators may (admins look, never act)."""
    messages = _messages()
    new_status = request.form.get("status", "")
    target = request.form.get("target_org") or None
    try:
        with session_scope(db_url()) as db:
            referral = _load(db, reference, for_update=True)
            now = datetime.now(timezone.utc)
            change_status(
                db,
                _statuses(),
                referral,
                new_status,
                session["username"],
                request.form.get("note", ""),
                now,
                target,
            )
            org_name = referral.organization.name
    except WorkflowError as refused:
        return _page(reference, messages["console_errors"][refused.code], 400)
    if new_status == "transferred":
        flash(messages["console_transferred"].format(reference=reference, org=org_name))
        return redirect(url_for(".index"), 303)
    label = _statuses().label(new_status)
    flash(messages["console_status_changed"].format(reference=reference, status=label))
    return redirect(url_for(".detail", reference=reference), 303)
