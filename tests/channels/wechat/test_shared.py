"""Two Rasa servers behind one WeChat account share a real Redis (REDIS_URL): a retried message is processed once
wherever it lands, numbered options follow the user, and the access token is fetched once and retired only by
whoever still holds it. Without REDIS_URL each server keeps its own, as before."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
import redis

from bot.channels.wechat.client import WeChatClient
from bot.channels.wechat.state import MemoryState, RedisState, state_for
from bot.channels.wechat.tokens import MemoryTokens, RedisTokens, tokens_for
from bot.redis_client import async_client
from bot.settings import Settings
from tests.channels.wechat.conftest import APP_ID, OPENID, SECRET, FakeAPI, running


def shared_client(api: FakeAPI, url: str, **tokens: float) -> WeChatClient:
    """A client as another server would build it: its own connection to the same Redis."""
    store = RedisTokens(async_client(url), APP_ID, **tokens)
    return WeChatClient(APP_ID, SECRET, api.base, timeout=2, backoff=0.01, tokens=store)


def dead_redis_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused at once
        return f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


def test_one_setting_picks_memory_or_redis(redis_url: str) -> None:
    assert isinstance(state_for(Settings(redis_url="")), MemoryState)
    assert isinstance(tokens_for(Settings(redis_url="")), MemoryTokens)
    assert isinstance(state_for(Settings(redis_url=redis_url)), RedisState)
    assert isinstance(tokens_for(Settings(redis_url=redis_url)), RedisTokens)


async def test_a_message_reaching_both_servers_is_processed_once(
    api: FakeAPI, wechat_db: str, redis_url: str
) -> None:
    async with (
        running(api, wechat_db, redis_url=redis_url) as one,
        running(api, wechat_db, redis_url=redis_url) as two,
    ):
        for round_ in range(10):  # at the same moment, on both servers
            message = one.xml("text", Content=f"问题{round_}")
            answers = await asyncio.gather(one.post(message), two.post(message))
            assert sorted(a[1] == "success" for a in answers) == [False, True]
            replied = next(body for status, body in answers if body != "success")
            assert one.reply(replied)["Content"] == f"收到：问题{round_}"
        message = one.xml("text", Content="重试")  # one after the other: WeChat's retry lands elsewhere
        assert one.reply((await one.post(message))[1])["Content"] == "收到：重试"
        assert await two.post(message) == (200, "success")
        event = one.xml("event", created=1_700_000_000, Event="subscribe")  # no MsgId: sender + CreateTime
        await one.post(event)
        assert await two.post(event) == (200, "success")
        texts = one.bot.texts + two.bot.texts
        assert sorted(texts) == sorted([f"问题{i}" for i in range(10)] + ["重试", "/greet"])
        keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("*")]
        assert keys and not any(OPENID in k for k in keys)  # keys carry digests, never an OpenID


async def test_without_redis_each_server_keeps_its_own(api: FakeAPI, wechat_db: str) -> None:
    async with running(api, wechat_db) as one, running(api, wechat_db) as two:
        message = one.xml("text", Content="你好")
        assert one.reply((await one.post(message))[1])["Content"] == "收到：你好"
        assert await one.post(message) == (200, "success")  # the same server still recognises its retry
        assert two.reply((await two.post(message))[1])["Content"] == "收到：你好"  # another cannot
        assert one.bot.texts == two.bot.texts == ["你好"]


async def test_numbered_options_follow_the_user_to_the_other_server(
    api: FakeAPI, wechat_db: str, redis_url: str
) -> None:
    buttons = [{"title": "同意", "payload": "/affirm"}, {"title": "不同意", "payload": "/deny"}]

    def script(text: str) -> list[dict]:
        return [{"text": "同意吗？", "buttons": buttons}] if text == "开始" else [{"text": "好"}]

    async with (
        running(api, wechat_db, redis_url=redis_url) as one,
        running(api, wechat_db, redis_url=redis_url) as two,
    ):
        one.bot.script = two.bot.script = script
        assert (await one.say("开始")).endswith("2. 不同意")
        await two.say("2")
        await one.say("1")  # the last reply (on the other server) had no buttons: "1" is text now
        assert one.bot.texts == ["开始", "1"] and two.bot.texts == ["/deny"]


async def test_a_token_is_fetched_once_for_every_server(api: FakeAPI, redis_url: str) -> None:
    clients = [shared_client(api, redis_url) for _ in range(4)]
    await asyncio.gather(*(c.send_text(OPENID, f"第{i}条") for i, c in enumerate(clients) for _ in range(3)))
    assert api.token_calls == 1 and {s["token"] for s in api.sent} == {"T1"} and len(api.sent) == 12
    ttl = redis.Redis.from_url(redis_url).pttl(f"qybot:wechat:token:{APP_ID}")
    assert 6_890_000 < ttl <= 6_900_000  # expires_in 7200 less the 300 s margin, kept by Redis itself


async def test_a_rejected_token_is_replaced_once_and_an_old_one_never_removes_a_newer(
    api: FakeAPI, redis_url: str
) -> None:
    one, two = shared_client(api, redis_url), shared_client(api, redis_url)
    await one.send_text(OPENID, "一")  # T1
    api.answers = [{"errcode": 40001, "errmsg": "invalid credential"}]
    await two.send_text(OPENID, "二")  # T1 rejected: two retires it and fetches T2
    await one.invalidate("T1")  # one learns late that T1 failed: T2 must stay
    await one.send_text(OPENID, "三")
    assert api.token_calls == 2 and [s["token"] for s in api.sent] == ["T1", "T2", "T2"]
    await one.invalidate("T2")
    await two.send_text(OPENID, "四")
    assert api.token_calls == 3 and api.sent[-1]["token"] == "T3"


async def test_a_server_that_died_holding_the_lock_delays_the_others_only_until_it_expires(
    api: FakeAPI, redis_url: str
) -> None:
    redis.Redis.from_url(redis_url).set(f"qybot:wechat:token:{APP_ID}:lock", "dead-server", px=400)
    client = shared_client(api, redis_url, lock_seconds=0.4)
    await client.send_text(OPENID, "你好")
    assert api.token_calls == 1 and api.sent[0]["token"] == "T1"


async def test_without_redis_reachable_each_server_falls_back_to_its_own_memory(
    api: FakeAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.channels")
    url = dead_redis_url()
    state = state_for(Settings(redis_url=url))
    assert await state.claim("msg:1") and not await state.claim("msg:1")
    await state.set_choices(OPENID, ("/affirm",))
    assert await state.choices(OPENID) == ("/affirm",)
    client = shared_client(api, url)
    await client.send_text(OPENID, "你好")
    await client.send_text(OPENID, "再见")
    assert api.token_calls == 1 and len(api.sent) == 2
    assert "Redis unavailable" in caplog.text and OPENID not in caplog.text


async def test_the_channel_uses_redis_for_its_rate_limit_too(
    api: FakeAPI, wechat_db: str, redis_url: str
) -> None:
    settings = {"redis_url": redis_url, "wechat_limit_per_openid": 2}
    async with running(api, wechat_db, **settings) as one, running(api, wechat_db, **settings) as two:
        assert await one.say("一") == "收到：一"
        assert await two.say("二") == "收到：二"
        refused = await one.say("三")  # the third message in the window, counted across both servers
        assert refused.startswith(one.channel.messages["rate_limited"].split("{")[0])
        assert one.bot.texts + two.bot.texts == ["一", "二"]
