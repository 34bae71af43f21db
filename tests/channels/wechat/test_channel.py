"""The WeChat channel on loopback: real signed (and encrypted) XML into a Sanic app, passive replies checked,
and the customer-service API played by a fake WeChat server that records every call (fakes in conftest.py)."""

from __future__ import annotations

import logging
import socket
import time
import uuid

import pytest
import yaml
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.channels.wechat.channel import WeChatInput
from bot.channels.wechat.client import WeChatAPIError, WeChatClient
from bot.channels.wechat.inbound import signature
from bot.channels.wechat.render import utf8_len
from bot.channels.wechat.state import TTLCache
from bot.settings import Settings
from tests.channels.wechat.conftest import (
    ACCOUNT,
    AES_KEY,
    APP_ID,
    DEADLINE,
    OPENID,
    ROOT,
    SECRET,
    TOKEN,
    FakeAPI,
    WeChat,
    running,
)


async def test_get_verification_echoes_only_with_a_good_signature(wechat: WeChat) -> None:
    assert await wechat.get({**wechat.query(), "echostr": "4242"}) == (200, "4242")
    assert (await wechat.get({**wechat.query(token="guess"), "echostr": "4242"}))[0] == 403
    assert (await wechat.get({**wechat.query(age=3600), "echostr": "4242"}))[0] == 403


async def test_off_without_a_token(api: FakeAPI, wechat_db: str) -> None:
    async with running(api, wechat_db, token="") as wechat:
        status, body = await wechat.get({**wechat.query(), "echostr": "1"})
        assert status == 503 and "WECHAT_TOKEN" in body
        assert (await wechat.post(wechat.xml("text", Content="你好")))[0] == 503
        assert wechat.bot.received == []


async def test_text_gets_a_passive_reply(wechat: WeChat, api: FakeAPI) -> None:
    status, body = await wechat.post(wechat.xml("text", Content="子女不给赡养费怎么办"))
    reply = wechat.reply(body)
    assert status == 200 and reply["MsgType"] == "text" and reply["Content"] == "收到：子女不给赡养费怎么办"
    assert (reply["ToUserName"], reply["FromUserName"]) == (OPENID, ACCOUNT)
    assert [(m.sender_id, m.input_channel) for m in wechat.bot.received] == [(OPENID, "wechat")]
    assert api.sent == [] and api.token_calls == 0


async def test_safe_mode_round_trip_and_refusals(api: FakeAPI, wechat_db: str) -> None:
    async with running(api, wechat_db, aes_key=AES_KEY) as wechat:
        assert await wechat.say("你好") == "收到：你好"  # the reply decrypts and its signature checks out
        _, body = await wechat.post(wechat.xml("text", Content="再问"))
        assert "<Encrypt>" in body and "收到" not in body
        sealed, query = wechat.seal(wechat.xml("text", Content="伪造"), wechat.query())
        forged = {**query, "msg_signature": "0" * 40}
        missing = {k: v for k, v in query.items() if k != "msg_signature"}
        for bad_query in (forged, missing):
            assert (await wechat.post(sealed, bad_query, seal=False))[0] == 403
        assert (await wechat.post(wechat.xml("text", Content="明文"), seal=False))[0] == 403
        query = wechat.query()  # well signed, but not something our key encrypted
        query["msg_signature"] = signature(TOKEN, query["timestamp"], query["nonce"], "bm90IGFlcw==")
        assert (await wechat.post("<xml><Encrypt>bm90IGFlcw==</Encrypt></xml>", query, seal=False))[0] == 400
        assert wechat.bot.texts == ["你好", "再问"]


@pytest.mark.parametrize(
    ("msg_type", "fields", "expected"),
    [
        ("voice", {"MediaId": "m", "Format": "amr", "Recognition": "我想申请调解"}, "我想申请调解"),
        (
            "location",
            {"Location_X": "24.18", "Location_Y": "113.02", "Label": "英德市浛洸镇"},
            "英德市浛洸镇",
        ),
    ],
)
async def test_voice_and_location_become_text(
    wechat: WeChat, msg_type: str, fields: dict[str, str], expected: str
) -> None:
    status, body = await wechat.post(wechat.xml(msg_type, **fields))
    assert status == 200 and wechat.bot.texts == [expected]
    assert wechat.reply(body)["Content"] == f"收到：{expected}"


async def test_subscribe_greets_with_numbered_audience_choice(wechat: WeChat) -> None:
    buttons = [{"title": "学生 / 年轻人", "payload": "/youth"}, {"title": "老年人", "payload": "/elderly"}]
    wechat.bot.script = lambda text: [{"text": "您好！"}, {"text": "请问您是？", "buttons": buttons}]
    _, body = await wechat.post(wechat.xml("event", Event="subscribe"))
    assert (
        wechat.reply(body)["Content"] == "您好！\n\n请问您是？\n\n回复数字选择：\n1. 学生 / 年轻人\n2. 老年人"
    )
    scanned = wechat.xml("event", created=1_700_000_000, Event="subscribe", EventKey="qrscene_42")
    await wechat.post(scanned)  # followed by scanning a QR code
    assert await wechat.post(wechat.xml("event", Event="CLICK", EventKey="menu")) == (200, "success")
    assert await wechat.post(wechat.xml("event", Event="no_such_event")) == (200, "success")
    assert wechat.bot.texts == ["/greet", "/greet"]


@pytest.mark.parametrize(
    ("msg_type", "fields", "key"),
    [
        ("image", {"PicUrl": "http://x/1.jpg", "MediaId": "m"}, "wechat_please_type"),
        ("video", {"MediaId": "m"}, "wechat_please_type"),
        ("voice", {"MediaId": "m", "Format": "amr"}, "wechat_voice_unrecognized"),
        ("location", {"Location_X": "24.18", "Location_Y": "113.02"}, "wechat_location_unknown"),
    ],
)
async def test_what_cannot_be_read_gets_a_please_type(
    wechat: WeChat, msg_type: str, fields: dict[str, str], key: str
) -> None:
    status, body = await wechat.post(wechat.xml(msg_type, **fields))
    assert status == 200 and wechat.reply(body)["Content"] == wechat.channel.messages[key]
    assert wechat.bot.received == []


@pytest.mark.parametrize("query", [{"signature": "f" * 40}, {"signature": ""}, {"timestamp": "soon"}])
async def test_forged_signature_is_refused_before_the_bot(wechat: WeChat, query: dict[str, str]) -> None:
    status, _ = await wechat.post(wechat.xml("text", Content="你好"), {**wechat.query(), **query})
    assert status == 403 and wechat.bot.received == []


async def test_stale_or_future_timestamp_is_refused_as_a_replay(wechat: WeChat) -> None:
    for age in (306, -3600):
        status, _ = await wechat.post(wechat.xml("text", Content="你好"), wechat.query(age=age))
        assert status == 403
    assert wechat.bot.received == []


@pytest.mark.parametrize(
    "body",
    [
        "<xml><MsgType>text",
        "not xml at all",
        "",
        "<other><MsgType>text</MsgType></other>",
        "<xml><FromUserName>o</FromUserName></xml>",
        "<xml><MsgType>text</MsgType><Content>没有发件人</Content></xml>",
        "<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><MsgId>abc</MsgId></xml>",
    ],
)
async def test_malformed_xml_is_a_400(wechat: WeChat, body: str) -> None:
    assert (await wechat.post(body))[0] == 400 and wechat.bot.received == []


async def test_retried_deliveries_are_processed_once(wechat: WeChat) -> None:
    message = wechat.xml("text", Content="你好")
    first, again = await wechat.post(message), await wechat.post(message)  # new signature, same MsgId
    assert wechat.reply(first[1])["Content"] == "收到：你好" and again == (200, "success")
    event = wechat.xml("event", created=1_700_000_000, Event="subscribe")
    await wechat.post(event)
    await wechat.post(event)
    await wechat.post(wechat.xml("event", created=1_700_000_001, Event="subscribe"))
    assert wechat.bot.texts == ["你好", "/greet", "/greet"]


async def test_slow_bot_answers_success_then_by_customer_service(wechat: WeChat, api: FakeAPI) -> None:
    wechat.bot.delay = DEADLINE + 0.3
    started = time.monotonic()
    assert await wechat.post(wechat.xml("text", Content="第一问")) == (200, "success")
    assert time.monotonic() - started < DEADLINE + 0.25 and api.sent == []  # the bot is still thinking
    assert await wechat.post(wechat.xml("text", Content="第二问")) == (200, "success")
    await wechat.channel.drain()
    assert api.contents == ["收到：第一问", "收到：第二问"]
    assert {(s["touser"], s["msgtype"]) for s in api.sent} == {(OPENID, "text")}
    assert api.token_calls == 1 and {s["token"] for s in api.sent} == {"T1"}  # fetched once, reused
    assert "收到".encode() in api.raw[0]  # real UTF-8: WeChat would show \\u escapes literally


async def test_slow_bot_failure_is_still_answered(wechat: WeChat, api: FakeAPI) -> None:
    wechat.bot.delay, wechat.bot.fail = DEADLINE + 0.1, True
    assert await wechat.post(wechat.xml("text", Content="你好")) == (200, "success")
    await wechat.channel.drain()
    assert api.contents == [wechat.channel.messages["bot_unavailable"]]


async def test_long_reply_is_split_passive_first_then_api(wechat: WeChat, api: FakeAPI) -> None:
    lines = [f"第{i}条：" + "调解免费、自愿、保密。" * 10 for i in range(30)]
    wechat.bot.script = lambda text: [{"text": "\n".join(lines)}]
    first = await wechat.say("详细说说")
    await wechat.channel.drain()
    parts = [first, *api.contents]
    assert len(parts) >= 3 and all(utf8_len(p) <= 2000 for p in parts)
    assert "\n".join(parts).split("\n") == lines


async def test_numbers_pick_the_last_buttons(wechat: WeChat) -> None:
    buttons = [{"title": "同意", "payload": "/affirm"}, {"title": "不同意", "payload": "/deny"}]
    wechat.bot.script = lambda text: (
        [{"text": "同意吗？", "buttons": buttons}] if text == "开始" else [{"text": "好"}]
    )
    assert (await wechat.say("开始")).endswith("回复数字选择：\n1. 同意\n2. 不同意")
    await wechat.say("2")
    await wechat.say("1")  # the last reply had no buttons: "1" is just text now
    assert wechat.bot.texts == ["开始", "/deny", "1"]


async def test_reply_text_cannot_break_the_xml(wechat: WeChat) -> None:
    wechat.bot.script = lambda text: [{"text": "甲]]><x>&乙"}]
    assert await wechat.say("你好") == "甲]]><x>&乙"


async def test_bot_failure_gets_a_polite_reply(wechat: WeChat) -> None:
    wechat.bot.fail = True
    assert await wechat.say("你好") == wechat.channel.messages["bot_unavailable"]


async def test_logs_never_carry_the_openid_or_the_text(
    wechat: WeChat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.channels")
    wechat.bot.delay = DEADLINE + 0.1
    await wechat.post(wechat.xml("text", Content="我的秘密问题"))
    await wechat.post(wechat.xml("image", MediaId="m"))
    await wechat.channel.drain()
    assert "deadline" in caplog.text and "customer-service" in caplog.text and "image" in caplog.text
    assert OPENID not in caplog.text and "秘密" not in caplog.text and "T1" not in caplog.text


async def test_client_refreshes_a_rejected_token_and_retries_server_errors(api: FakeAPI) -> None:
    client = WeChatClient(APP_ID, SECRET, api.base, timeout=2, backoff=0.01)
    api.answers = [{"errcode": 40001, "errmsg": "invalid credential"}, 502, {"errcode": -1, "errmsg": "busy"}]
    await client.send_text(OPENID, "你好")
    assert api.token_calls == 2
    assert api.sent == [{"token": "T2", "touser": OPENID, "msgtype": "text", "text": {"content": "你好"}}]
    api.answers = [500, 500, 500, 500]
    with pytest.raises(WeChatAPIError):
        await client.send_text(OPENID, "再见")
    api.answers = [{"errcode": 45015, "errmsg": "response out of time limit"}]  # the 48-hour rule
    with pytest.raises(WeChatAPIError) as refused:
        await client.send_text(OPENID, "晚了")
    assert refused.value.errcode == 45015 and api.token_calls == 2 and len(api.raw) == 9


async def test_client_gives_up_on_an_unreachable_api() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/"  # bound, not listening: refused at once
        client = WeChatClient(APP_ID, SECRET, dead, timeout=1, retries=2, backoff=0.01)
        with pytest.raises(WeChatAPIError):
            await client.send_text(OPENID, "你好")


def test_ttl_cache_is_bounded_and_expires() -> None:
    now = [0.0]
    cache: TTLCache[int] = TTLCache(ttl=10, max_size=3, clock=lambda: now[0])
    for i in range(5):
        cache.set(str(i), i)
    assert [cache.get(str(i)) for i in range(5)] == [None, None, 2, 3, 4]
    now[0] = 10.5
    assert cache.get("4") is None


def test_credentials_yml_mounts_the_channel() -> None:
    """The entry resolves the way rasa.core.run resolves it (without loading the other channels' deps)."""
    from rasa.shared.utils.common import class_from_module_path

    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    (path,) = [name for name in credentials if name.endswith("WeChatInput")]
    channel = class_from_module_path(path).from_credentials(credentials[path])
    assert isinstance(channel, WeChatInput)
    app = Sanic(f"wechat_{uuid.uuid4().hex}", configure_logging=False)
    register([channel], app, "/webhooks/")
    app.router.finalize()
    assert {(r.path, m) for r in app.router.routes for m in r.methods} >= {
        ("webhooks/wechat/webhook", "GET"),
        ("webhooks/wechat/webhook", "POST"),
    }


def test_safe_mode_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="43"):
        Settings(wechat_token=TOKEN, wechat_app_id=APP_ID, wechat_aes_key="short")
    with pytest.raises(ValueError, match="WECHAT_APP_ID"):
        Settings(wechat_token=TOKEN, wechat_app_id="", wechat_aes_key=AES_KEY)
