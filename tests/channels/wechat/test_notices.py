"""Referral status notices through the WeChat channel: pushed by customer-service message within 48 hours
(to the fake WeChat API), otherwise put before the reply to the citizen's next message (fakes in conftest.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import services
from bot.db.models import Notification, WeChatContact
from bot.db.session import session_scope
from bot.mediation.notices import Notice, Outbox, record_inbound
from bot.mediation.workflow import change_status
from bot.privacy import PiiCipher, sender_hash
from tests.channels.wechat.conftest import DEADLINE, OPENID, FakeAPI, WeChat, running
from tests.mediation.referral_factory import add_orgs, add_referral


@pytest.fixture
def db(wechat_db: str) -> str:
    """The harness's database with the factory's organizations."""
    with session_scope(wechat_db) as s:
        add_orgs(s)
    return wechat_db


def _applied(wechat: WeChat, db: str, channel: str = "wechat", key: str = "k1") -> str:
    """A referral made by this WeChat user (sender_hash as the submit action computes it), just accepted."""
    secret = wechat.channel.settings.secret_key
    with session_scope(db) as s:
        referral = add_referral(
            s, PiiCipher(secret), key=key, channel=channel, sender=sender_hash(OPENID, secret)
        )
        change_status(
            s, services.catalog().statuses, referral, "accepted", "mediator_a", "", datetime.now(timezone.utc)
        )
        return str(referral.reference)


def _outbox(db: str) -> list[tuple[str, int, str | None]]:
    with session_scope(db) as s:
        rows = s.execute(select(Notification).order_by(Notification.id)).scalars()
        return [(n.status, n.attempts, n.last_error) for n in rows]


def _last_wrote(wechat: WeChat, db: str, ago: timedelta) -> None:
    with session_scope(db) as s:
        record_inbound(s, OPENID, wechat.channel.settings.secret_key, datetime.now(timezone.utc) - ago)


async def test_each_message_records_the_user_encrypted(wechat: WeChat, wechat_db: str) -> None:
    await wechat.say("你好")
    with session_scope(wechat_db) as s:
        (contact,) = s.execute(select(WeChatContact)).scalars().all()
        secret = wechat.channel.settings.secret_key
        assert contact.sender_hash == sender_hash(OPENID, secret)  # what referrals carry
        assert OPENID not in contact.openid_enc and PiiCipher(secret).decrypt(contact.openid_enc) == OPENID
        first = contact.last_inbound_at
    await asyncio.sleep(0.01)
    await wechat.post(wechat.xml("event", Event="CLICK", EventKey="menu"))  # opens the window too
    with session_scope(wechat_db) as s:
        assert s.execute(select(WeChatContact.last_inbound_at)).scalar_one() > first
        latest = s.execute(select(WeChatContact.last_inbound_at)).scalar_one()
    await wechat.post(wechat.xml("event", Event="unsubscribe"))  # does not
    await wechat.post(wechat.xml("event", Event="VIEW", EventKey="https://example.invalid/"))  # nor this
    with session_scope(wechat_db) as s:
        assert s.execute(select(WeChatContact.last_inbound_at)).scalar_one() == latest


async def test_within_48_hours_the_notice_is_sent_by_customer_service(
    wechat: WeChat, db: str, api: FakeAPI
) -> None:
    await wechat.say("你好")
    reference = _applied(wechat, db)
    assert await wechat.channel.notices.dispatch_once() == (1, 0)
    assert [s["touser"] for s in api.sent] == [OPENID]
    (content,) = api.contents
    assert reference in content and "甲镇人民调解委员会" in content and "已受理" in content
    assert _outbox(db) == [("sent", 1, None)]
    assert await wechat.say("谢谢") == "收到：谢谢"  # already delivered: not shown again


async def test_outside_48_hours_the_notice_comes_with_the_next_reply(
    wechat: WeChat, db: str, api: FakeAPI
) -> None:
    reference = _applied(wechat, db)
    _last_wrote(wechat, db, timedelta(hours=49))
    assert await wechat.channel.notices.dispatch_once() == (0, 0)
    assert api.sent == [] and _outbox(db) == [("pending", 0, None)]
    reply = await wechat.say("在吗")
    notice, answer = reply.split("\n\n")
    assert reference in notice and "已受理" in notice and answer == "收到：在吗"
    assert _outbox(db) == [("shown", 0, None)]
    assert await wechat.channel.notices.dispatch_once() == (0, 0) and api.sent == []
    assert await wechat.say("在吗") == "收到：在吗"


async def test_a_late_reply_carries_the_notice(wechat: WeChat, db: str, api: FakeAPI) -> None:
    reference = _applied(wechat, db)
    wechat.bot.delay = DEADLINE + 0.2
    assert await wechat.post(wechat.xml("text", Content="进度如何")) == (200, "success")
    await wechat.channel.drain()
    (content,) = api.contents
    assert content.startswith("【") and reference in content and content.endswith("收到：进度如何")
    assert _outbox(db) == [("shown", 0, None)]


async def test_a_canned_reply_carries_the_notice(wechat: WeChat, db: str) -> None:
    reference = _applied(wechat, db)
    status, body = await wechat.post(wechat.xml("image", PicUrl="http://x/1.jpg", MediaId="m"))
    content = wechat.reply(body)["Content"]
    assert (
        status == 200
        and reference in content
        and content.endswith(wechat.channel.messages["wechat_please_type"])
    )


async def test_a_failed_send_is_retried(wechat: WeChat, db: str, api: FakeAPI) -> None:
    await wechat.say("你好")
    _applied(wechat, db)
    api.answers = [{"errcode": 45047, "errmsg": "out of response count limit"}]
    assert await wechat.channel.notices.dispatch_once() == (0, 1)
    assert api.sent == [] and _outbox(db) == [("pending", 1, "wx45047")]
    assert await wechat.channel.notices.dispatch_once() == (1, 0)
    assert len(api.sent) == 1 and _outbox(db) == [("sent", 2, None)]


async def test_web_referrals_are_not_pushed(wechat: WeChat, db: str, api: FakeAPI) -> None:
    await wechat.say("你好")  # the same person also writes on WeChat
    _applied(wechat, db, channel="web")
    assert await wechat.channel.notices.dispatch_once() == (0, 0)
    assert api.sent == [] and _outbox(db) == []
    assert await wechat.say("你好") == "收到：你好"


async def test_the_dispatcher_runs_with_the_server(api: FakeAPI, db: str) -> None:
    async with running(api, db, wechat_notify_interval_seconds=0.05) as wechat:
        assert wechat.channel.notices.running  # started by after_server_start
        await wechat.say("你好")
        reference = _applied(wechat, db)
        for _ in range(100):
            if api.sent:
                break
            await asyncio.sleep(0.05)
        assert len(api.contents) == 1 and reference in api.contents[0]
    assert not wechat.channel.notices.running  # cancelled by before_server_stop
    async with running(api, db, token="") as off:
        assert not off.channel.notices.running


async def test_a_server_starting_while_another_pushes_does_not_push_again(api: FakeAPI, db: str) -> None:
    """Every Rasa server runs a dispatcher: one starting (or restarting) mid-push must leave that push alone."""
    api.delay = 0.6
    async with running(api, db, wechat_notify_interval_seconds=0.05) as one:
        await one.say("你好")
        reference = _applied(one, db)
        while _outbox(db) != [("sending", 1, None)]:
            await asyncio.sleep(0.02)
        async with running(api, db, wechat_notify_interval_seconds=0.05) as two:
            assert two.channel.notices.running
            await asyncio.sleep(1.2)  # both dispatchers pass many times, and the first push completes
        assert len(api.contents) == 1 and reference in api.contents[0]
        assert _outbox(db) == [("sent", 1, None)]


async def test_a_database_failure_never_fails_the_message(
    api: FakeAPI, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    unmigrated = f"sqlite:///{tmp_path / 'empty.db'}"
    async with running(api, unmigrated) as wechat:
        assert await wechat.say("你好") == "收到：你好"
        assert await wechat.channel.notices.dispatch_once() == (0, 0)
    assert "status notices failed (OperationalError)" in caplog.text


async def test_logs_never_carry_the_openid(
    wechat: WeChat, db: str, api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await wechat.say("你好")
    _applied(wechat, db)
    api.answers = [{"errcode": 45015, "errmsg": f"bad openid {OPENID}"}]
    await wechat.channel.notices.dispatch_once()
    await wechat.channel.notices.dispatch_once()
    assert "status notices: 0 sent, 1 failed" in caplog.text and "1 sent, 0 failed" in caplog.text
    assert OPENID not in caplog.text and "13800138000" not in caplog.text
    with session_scope(db) as s:
        assert OPENID not in str(s.execute(select(Notification.last_error)).scalars().all())


class SlowOutbox:
    """The real outbox behind a database slower than the reply deadline."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def inbound(self, openid: str, now: datetime) -> list[Notice]:
        await asyncio.sleep(DEADLINE + 0.2)
        return await self.outbox.inbound(openid, now)

    async def release(self, notices: list[Notice]) -> None:
        await self.outbox.release(notices)


async def test_notices_late_for_the_reply_stay_pending(
    wechat: WeChat, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _applied(wechat, db)
    monkeypatch.setattr(wechat.channel.notices, "outbox", SlowOutbox(wechat.channel.notices.outbox))
    assert await wechat.say("你好") == "收到：你好"  # the reply does not wait for the database
    await wechat.channel.notices.stop()  # waits for the late notices to be released
    assert _outbox(db) == [("pending", 0, None)]
