"""Status transitions: the table, history events with actor and note, transfers, notes, and the outbox."""

from datetime import timedelta
from itertools import product

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import services
from bot.db.models import Notification, Referral, ReferralEvent
from bot.db.session import session_scope
from bot.mediation.workflow import (
    InvalidTransferTarget,
    InvalidTransition,
    NoteRequired,
    NoteTooLong,
    change_status,
)
from bot.privacy import PiiCipher
from tests.mediation.referral_factory import ORG_A, ORG_B, T0, add_orgs, add_referral

CIPHER = PiiCipher("test")
STATUSES = services.catalog().statuses
LATER = T0 + timedelta(hours=1)

# Written out by hand (not read from knowledge/mediation/statuses.yml), so a change to the table must change this
# test too.
ALLOWED = {
    ("submitted", "accepted"),
    ("submitted", "declined"),
    ("submitted", "transferred"),
    ("submitted", "withdrawn"),
    ("accepted", "in_mediation"),
    ("accepted", "transferred"),
    ("accepted", "withdrawn"),
    ("in_mediation", "resolved"),
    ("in_mediation", "unresolved"),
    ("in_mediation", "withdrawn"),
}
# How a fresh referral reaches each status that has a way out.
PATH = {"submitted": [], "accepted": ["accepted"], "in_mediation": ["accepted", "in_mediation"]}


def test_the_transition_table() -> None:
    assert set(STATUSES.codes) == {s for pair in ALLOWED for s in pair} | {"transferred"}
    for current, new in product(STATUSES.codes, STATUSES.codes):
        assert STATUSES.allowed(current, new) == ((current, new) in ALLOWED), (current, new)
    assert not STATUSES.allowed("submitted", "no_such_status")
    assert not STATUSES.allowed("no_such_status", "accepted")
    assert STATUSES.next("submitted") == ("accepted", "declined", "transferred", "withdrawn")
    for final in ("resolved", "unresolved", "declined", "withdrawn", "transferred"):
        assert STATUSES.next(final) == ()
    assert STATUSES.open == ("submitted", "accepted", "in_mediation")
    assert STATUSES.note_required == {"declined", "unresolved"}


@pytest.fixture
def db(db_url: str):
    with session_scope(db_url) as session:
        add_orgs(session)
    return db_url


def _walk(session: Session, referral: Referral, statuses: list[str]) -> None:
    for status in statuses:
        change_status(session, STATUSES, referral, status, "walker", "", T0)


@pytest.mark.parametrize(("current", "new"), sorted(p for p in ALLOWED if p[1] != "transferred"))
def test_every_allowed_change_writes_history(db: str, current: str, new: str) -> None:
    with session_scope(db) as s:
        referral = add_referral(s, CIPHER)
        _walk(s, referral, PATH[current])
        events = change_status(s, STATUSES, referral, new, "mediator_a", "  已电话联系双方  ", LATER)
        assert [(e.status, e.actor, e.note, e.org_id) for e in events] == [
            (new, "mediator_a", "已电话联系双方", ORG_A)
        ]
    with session_scope(db) as s:
        stored = s.execute(select(Referral)).scalar_one()
        assert stored.status == new and stored.org_id == ORG_A
        assert stored.updated_at.replace(tzinfo=None) == LATER.replace(tzinfo=None)
        history = [e.status for e in stored.events]
        assert history == ["submitted", *PATH[current], new]


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("submitted", "submitted"),
        ("submitted", "in_mediation"),
        ("submitted", "resolved"),
        ("submitted", "no_such_status"),
        ("accepted", "accepted"),
        ("accepted", "resolved"),
        ("accepted", "declined"),
        ("in_mediation", "accepted"),
        ("in_mediation", "transferred"),
        ("in_mediation", "declined"),
    ],
)
def test_disallowed_changes_write_nothing(db: str, current: str, new: str) -> None:
    with session_scope(db) as s:
        referral = add_referral(s, CIPHER)
        _walk(s, referral, PATH[current])
        before = s.execute(select(func.count()).select_from(ReferralEvent)).scalar_one()
        notices = s.execute(select(Notification.referral_status)).scalars().all()
        with pytest.raises(InvalidTransition):
            change_status(s, STATUSES, referral, new, "mediator_a", "说明", LATER, target_org_id=ORG_B)
        assert referral.status == current and referral.org_id == ORG_A
        assert s.execute(select(func.count()).select_from(ReferralEvent)).scalar_one() == before
        assert s.execute(select(Notification.referral_status)).scalars().all() == notices


@pytest.mark.parametrize("final", ["resolved", "unresolved", "declined", "withdrawn"])
def test_final_statuses_stay_final(db: str, final: str) -> None:
    with session_scope(db) as s:
        referral = add_referral(s, CIPHER)
        path = {"resolved": PATH["in_mediation"], "unresolved": PATH["in_mediation"]}.get(final, [])
        _walk(s, referral, path)
        change_status(s, STATUSES, referral, final, "mediator_a", "结案说明", LATER)
        for new in STATUSES.codes:
            with pytest.raises(InvalidTransition):
                change_status(s, STATUSES, referral, new, "mediator_a", "再改", LATER, target_org_id=ORG_B)
        assert referral.status == final


@pytest.mark.parametrize(("path", "status"), [([], "declined"), (["accepted", "in_mediation"], "unresolved")])
@pytest.mark.parametrize("note", ["", "   \n"])
def test_declining_and_unresolved_need_a_note(db: str, path: list[str], status: str, note: str) -> None:
    with session_scope(db) as s:
        referral = add_referral(s, CIPHER)
        _walk(s, referral, path)
        with pytest.raises(NoteRequired):
            change_status(s, STATUSES, referral, status, "mediator_a", note, LATER)
        assert len(referral.events) == 1 + len(path)
        change_status(s, STATUSES, referral, status, "mediator_a", "对方拒绝调解", LATER)
        assert referral.status == status and referral.events[-1].note == "对方拒绝调解"


def test_a_note_has_at_most_500_characters(db: str) -> None:
    with session_scope(db) as s:
        referral = add_referral(s, CIPHER)
        with pytest.raises(NoteTooLong):
            change_status(s, STATUSES, referral, "accepted", "mediator_a", "长" * 501, LATER)
        change_status(s, STATUSES, referral, "accepted", "mediator_a", "长" * 500, LATER)
        assert referral.status == "accepted"


@pytest.mark.parametrize("path", [[], ["accepted"]])
def test_transfer_moves_the_referral_and_starts_over_there(db: str, path: list[str]) -> None:
    with session_scope(db) as s:
        referral = add_referral(s, CIPHER)
        _walk(s, referral, path)
        change_status(
            s, STATUSES, referral, "transferred", "mediator_a", "属于乙镇辖区", LATER, target_org_id=ORG_B
        )
    with session_scope(db) as s:
        stored = s.execute(select(Referral)).scalar_one()
        assert (stored.status, stored.org_id, stored.organization.name) == (
            "submitted",
            ORG_B,
            "乙镇人民调解委员会",
        )
        history = [(e.status, e.org_id, e.actor, e.note) for e in stored.events]
        assert history[0][:2] == ("submitted", ORG_A)
        assert history[-2:] == [
            ("transferred", ORG_A, "mediator_a", "属于乙镇辖区"),
            ("submitted", ORG_B, "mediator_a", ""),
        ]
        # At the new organization the ordinary workflow starts again.
        change_status(s, STATUSES, stored, "accepted", "mediator_b", "", LATER)
        assert stored.status == "accepted"


@pytest.mark.parametrize("target", [None, "", ORG_A, "NO-SUCH-ORG"])
def test_transfer_needs_another_existing_organization(db: str, target: str | None) -> None:
    with session_scope(db) as s:
        referral = add_referral(s, CIPHER)
        with pytest.raises(InvalidTransferTarget):
            change_status(s, STATUSES, referral, "transferred", "mediator_a", "", LATER, target_org_id=target)
        assert (referral.status, referral.org_id, len(referral.events)) == ("submitted", ORG_A, 1)
        assert s.execute(select(func.count()).select_from(Notification)).scalar_one() == 0


def test_wechat_applicants_get_one_pending_notice_per_referral(db: str) -> None:
    with session_scope(db) as s:
        referral = add_referral(s, CIPHER, channel="wechat", sender="h1")
        change_status(s, STATUSES, referral, "accepted", "mediator_a", "", T0)
        change_status(
            s, STATUSES, referral, "in_mediation", "mediator_a", "", LATER
        )  # before the first went out
        rows = s.execute(select(Notification)).scalars().all()
        assert [(n.referral_id, n.referral_status, n.status, n.attempts) for n in rows] == [
            (referral.id, "in_mediation", "pending", 0)
        ]
        rows[0].status = "sent"
        s.flush()
        change_status(s, STATUSES, referral, "resolved", "mediator_a", "", LATER)
        statuses = s.execute(
            select(Notification.referral_status, Notification.status).order_by(Notification.id)
        )
        assert statuses.all() == [("in_mediation", "sent"), ("resolved", "pending")]


def test_a_transfer_notice_says_transferred(db: str) -> None:
    with session_scope(db) as s:
        referral = add_referral(s, CIPHER, channel="wechat", sender="h1")
        change_status(s, STATUSES, referral, "transferred", "mediator_a", "", LATER, target_org_id=ORG_B)
        assert s.execute(select(Notification.referral_status)).scalars().all() == ["transferred"]


@pytest.mark.parametrize("channel", ["web", "rest"])
def test_other_channels_are_not_queued(db: str, channel: str) -> None:
    with session_scope(db) as s:
        referral = add_referral(s, CIPHER, channel=channel, sender="h1")
        change_status(s, STATUSES, referral, "accepted", "mediator_a", "", LATER)
        assert s.execute(select(func.count()).select_from(Notification)).scalar_one() == 0
