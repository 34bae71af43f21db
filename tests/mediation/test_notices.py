"""The status notice outbox: contacts kept encrypted, pushing inside WeChat's 48-hour window only, showing
the rest on the next message, retries and giving up (the WeChat API itself is faked in tests/channels)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot import services
from bot.db.models import Notification, Referral, WeChatContact
from bot.db.session import session_scope
from bot.mediation.notices import (
    SENDING_LEASE,
    NoticeTexts,
    Outbox,
    claim_due,
    record_inbound,
    renew,
    reset_stale,
    take_for_reply,
)
from bot.mediation.workflow import change_status
from bot.privacy import PiiCipher, sender_hash
from tests.mediation.referral_factory import T0, add_orgs, add_referral
from tests.paths import KNOWLEDGE

SECRET = "notify-test-secret"
OPENID = "oApplicant0penId"
HASH = sender_hash(OPENID, SECRET)
TEXTS = NoticeTexts.from_knowledge(KNOWLEDGE)


class FakeSender:
    """Records sends; ``errors`` scripts failures (an exception with an errcode, like WeChatAPIError)."""

    def __init__(self, configured: bool = True) -> None:
        self.configured = configured
        self.sent: list[tuple[str, str]] = []
        self.errors: list[int] = []

    async def send_text(self, openid: str, content: str) -> None:
        if self.errors:
            error = RuntimeError("refused")
            error.errcode = self.errors.pop(0)  # type: ignore[attr-defined]
            raise error
        self.sent.append((openid, content))


@pytest.fixture
def outbox(db_url: str) -> Outbox:
    with session_scope(db_url) as s:
        add_orgs(s)
    return Outbox(db_url, SECRET, TEXTS, max_attempts=3)


def _referral_with_news(db_url: str, channel: str = "wechat", key: str = "k1", sender: str = HASH) -> str:
    with session_scope(db_url) as s:
        referral = add_referral(s, PiiCipher(SECRET), key=key, channel=channel, sender=sender)
        change_status(s, services.catalog().statuses, referral, "accepted", "mediator_a", "", T0)
        return str(referral.reference)


def _wrote(db_url: str, at: datetime) -> None:
    """The applicant's last message was at ``at`` (recorded without taking notices, unlike Outbox.inbound)."""
    with session_scope(db_url) as s:
        record_inbound(s, OPENID, SECRET, at)


def _notices(db_url: str) -> list[tuple[str, int, str | None]]:
    with session_scope(db_url) as s:
        rows = s.execute(select(Notification).order_by(Notification.id)).scalars()
        return [(n.status, n.attempts, n.last_error) for n in rows]


def test_contact_is_encrypted_and_refreshed(db_url: str) -> None:
    with session_scope(db_url) as s:
        assert record_inbound(s, OPENID, SECRET, T0) == HASH
    with session_scope(db_url) as s:
        record_inbound(s, OPENID, SECRET, T0 + timedelta(hours=5))
    with session_scope(db_url) as s:
        (contact,) = s.execute(select(WeChatContact)).scalars().all()
        assert OPENID not in contact.openid_enc and PiiCipher(SECRET).decrypt(contact.openid_enc) == OPENID
        assert contact.last_inbound_at.replace(tzinfo=None) == (T0 + timedelta(hours=5)).replace(tzinfo=None)


async def test_within_48_hours_the_notice_is_pushed(outbox: Outbox, db_url: str) -> None:
    reference = _referral_with_news(db_url)
    _wrote(db_url, T0 - timedelta(hours=47))
    sender = FakeSender()
    assert await outbox.dispatch_pending(sender, T0) == (1, 0)
    ((openid, text),) = sender.sent
    assert openid == OPENID
    assert reference in text and "甲镇人民调解委员会" in text and TEXTS.labels["accepted"] in text
    assert _notices(db_url) == [("sent", 1, None)]
    assert await outbox.dispatch_pending(sender, T0) == (0, 0) and len(sender.sent) == 1  # once only


@pytest.mark.parametrize(
    "last_message", [timedelta(hours=48, minutes=1), timedelta(hours=47, minutes=55), None]
)
async def test_outside_48_hours_it_waits_for_the_next_message(
    outbox: Outbox, db_url: str, last_message: timedelta | None
) -> None:
    reference = _referral_with_news(db_url)
    if last_message is not None:
        _wrote(db_url, T0 - last_message)
    sender = FakeSender()
    assert await outbox.dispatch_pending(sender, T0) == (0, 0)
    assert sender.sent == [] and _notices(db_url) == [("pending", 0, None)]
    shown = await outbox.inbound(OPENID, T0)
    assert [reference in n.text for n in shown] == [True]
    assert _notices(db_url) == [("shown", 0, None)]
    assert await outbox.inbound(OPENID, T0) == []  # shown once
    assert await outbox.dispatch_pending(sender, T0) == (0, 0) and sender.sent == []


async def test_failed_sends_are_retried_then_given_up(outbox: Outbox, db_url: str) -> None:
    _referral_with_news(db_url)
    _wrote(db_url, T0 - timedelta(hours=1))
    sender = FakeSender()
    sender.errors = [45015]
    assert await outbox.dispatch_pending(sender, T0) == (0, 1)
    assert _notices(db_url) == [("pending", 1, "wx45015")]
    assert await outbox.dispatch_pending(sender, T0) == (1, 0)
    assert _notices(db_url) == [("sent", 2, None)] and len(sender.sent) == 1

    _referral_with_news(db_url, key="k2")
    sender.errors = [-1, -1, -1]
    for _ in range(4):
        await outbox.dispatch_pending(sender, T0)
    assert _notices(db_url)[1] == ("failed", 3, "wx-1")  # max_attempts=3, then no more tries
    assert len(sender.sent) == 1
    shown = await outbox.inbound(OPENID, T0)  # a push given up on is still shown on the next message
    assert len(shown) == 1 and _notices(db_url)[1][0] == "shown"


async def test_web_referrals_are_not_pushed(outbox: Outbox, db_url: str) -> None:
    _referral_with_news(db_url, channel="web")
    _wrote(db_url, T0)
    assert await outbox.inbound(OPENID, T0) == []
    sender = FakeSender()
    assert await outbox.dispatch_pending(sender, T0) == (0, 0)
    assert sender.sent == [] and _notices(db_url) == []


async def test_nothing_is_claimed_without_customer_service_credentials(outbox: Outbox, db_url: str) -> None:
    _referral_with_news(db_url)
    _wrote(db_url, T0 - timedelta(hours=1))
    assert await outbox.dispatch_pending(FakeSender(configured=False), T0) == (0, 0)
    assert _notices(db_url) == [("pending", 0, None)]


async def test_a_notice_late_for_the_reply_is_released(outbox: Outbox, db_url: str) -> None:
    _referral_with_news(db_url)
    shown = await outbox.inbound(OPENID, T0)
    assert _notices(db_url) == [("shown", 0, None)]
    await outbox.release(shown)
    assert _notices(db_url) == [("pending", 0, None)]


def test_notices_left_sending_are_pending_again_once_their_claim_lapsed(outbox: Outbox, db_url: str) -> None:
    _referral_with_news(db_url)
    with session_scope(db_url) as s:
        notification = s.execute(select(Notification)).scalar_one()
        notification.status, notification.claimed_at = "sending", T0
    with session_scope(db_url) as s:
        assert reset_stale(s, T0) == 0  # claimed just now: another server may be sending it
        assert reset_stale(s, T0 + timedelta(seconds=1)) == 1
    assert _notices(db_url) == [("pending", 0, None)]


def test_only_this_applicants_notices_are_taken(outbox: Outbox, db_url: str) -> None:
    _referral_with_news(db_url, key="mine")
    _referral_with_news(db_url, key="theirs", sender=sender_hash("oSomeoneElse", SECRET))
    with session_scope(db_url) as s:
        assert len(take_for_reply(s, HASH, TEXTS, T0)) == 1
    assert sorted(n[0] for n in _notices(db_url)) == ["pending", "shown"]


async def test_after_a_key_rotation_notices_still_reach_earlier_applicants(db_url: str) -> None:
    """The referral and the contact were made under the old key; the applicant writes after the rotation: the
    notice is shown, their pseudonym moves to the new key, and later notices are pushed."""
    with session_scope(db_url) as s:
        add_orgs(s)
    reference = _referral_with_news(db_url)
    _wrote(db_url, T0 - timedelta(hours=100))  # the contact, under the old key, long ago
    rotated = Outbox(db_url, "notify-new-secret", TEXTS, max_attempts=3, previous=(SECRET,))
    shown = await rotated.inbound(OPENID, T0)
    assert [reference in n.text for n in shown] == [True]
    new_hash = sender_hash(OPENID, "notify-new-secret")
    with session_scope(db_url) as s:
        assert [c.sender_hash for c in s.execute(select(WeChatContact)).scalars()] == [new_hash]
        (referral,) = s.execute(select(Referral)).scalars().all()
        assert referral.sender_hash == new_hash
        change_status(s, services.catalog().statuses, referral, "in_mediation", "mediator_a", "", T0)
    sender = FakeSender()
    assert await rotated.dispatch_pending(sender, T0 + timedelta(hours=1)) == (1, 0)
    assert sender.sent[0][0] == OPENID


# Every Rasa server runs a dispatcher on the same database: each notice is still sent once.


class SlowSender(FakeSender):
    """Takes ``delay`` seconds per send, so two dispatchers overlap."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def send_text(self, openid: str, content: str) -> None:
        await asyncio.sleep(self.delay)
        await super().send_text(openid, content)


async def test_two_dispatchers_at_once_send_each_notice_once(outbox: Outbox, db_url: str) -> None:
    references = [_referral_with_news(db_url, key=f"k{i}") for i in range(6)]
    _wrote(db_url, T0 - timedelta(hours=1))
    other = Outbox(db_url, SECRET, TEXTS, max_attempts=3)  # another server's, on the same database
    one, two = SlowSender(0.02), SlowSender(0.02)
    results = await asyncio.gather(
        outbox.dispatch_pending(one, T0), other.dispatch_pending(two, T0), outbox.dispatch_pending(one, T0)
    )
    sent = [text for _, text in one.sent + two.sent]
    assert sum(r[0] for r in results) == 6 and len(sent) == 6
    assert sorted(next(r for r in references if r in text) for text in sent) == sorted(references)
    assert _notices(db_url) == [("sent", 1, None)] * 6


async def test_a_dispatcher_starting_elsewhere_leaves_a_notice_being_sent_alone(
    outbox: Outbox, db_url: str
) -> None:
    _referral_with_news(db_url)
    _wrote(db_url, T0 - timedelta(hours=1))
    gate = asyncio.Event()

    class Stuck(FakeSender):
        async def send_text(self, openid: str, content: str) -> None:
            await gate.wait()
            await super().send_text(openid, content)

    stuck = Stuck()
    first = asyncio.ensure_future(outbox.dispatch_pending(stuck, T0))
    while _notices(db_url) != [("sending", 1, None)]:
        await asyncio.sleep(0.01)
    other, second = Outbox(db_url, SECRET, TEXTS, max_attempts=3), FakeSender()
    assert await other.dispatch_pending(second, T0 + timedelta(seconds=30)) == (0, 0)
    gate.set()
    assert await first == (1, 0)
    assert len(stuck.sent) == 1 and second.sent == [] and _notices(db_url) == [("sent", 1, None)]


async def test_a_claim_whose_dispatcher_stopped_is_taken_over_after_the_lease(
    outbox: Outbox, db_url: str
) -> None:
    _referral_with_news(db_url)
    _wrote(db_url, T0 - timedelta(hours=1))
    with session_scope(db_url) as s:  # a server claims it, then stops before sending
        (lost,) = claim_due(s, SECRET, TEXTS, T0)
    sender = FakeSender()
    assert await outbox.dispatch_pending(sender, T0 + SENDING_LEASE - timedelta(seconds=1)) == (0, 0)
    assert await outbox.dispatch_pending(sender, T0 + SENDING_LEASE + timedelta(seconds=1)) == (1, 0)
    assert len(sender.sent) == 1 and _notices(db_url) == [("sent", 2, None)]
    with session_scope(db_url) as s:  # the stopped server, back, may not send or record it
        assert not renew(s, lost, T0 + SENDING_LEASE * 2)
    assert _notices(db_url) == [("sent", 2, None)]
