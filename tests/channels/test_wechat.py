"""The WeChat channel on loopback: real signed (and encrypted) XML into a Sanic app, passive replies checked,
and the customer-service API played by a fake WeChat server that records every call."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import logging
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import aiohttp
import pytest
import xmltodict
import yaml
from aiohttp import web
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat import TTLCache, WeChatInput, signature
from bot.channels.wechat_client import WeChatAPIError, WeChatClient
from bot.channels.wechat_render import utf8_len
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TOKEN, APP_ID, SECRET = "t0ken", "wx0123456789abcdef", "app-secret"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters, like the console's
OPENID, ACCOUNT = "oUser0penIdSecret42", "gh_qingyuan"
DEADLINE = 0.5
MSG_IDS = itertools.count(6_000_000_000)


class FakeAPI:
    """cgi-bin/token and cgi-bin/message/custom/send; ``answers`` scripts the next sends (JSON or a status)."""

    def __init__(self) -> None:
        self.token_calls = 0
        self.sent: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.answers: list[dict[str, Any] | int] = []
        self.base = ""

    async def token(self, request: web.Request) -> web.Response:
        assert (request.query["appid"], request.query["secret"]) == (APP_ID, SECRET)
        self.token_calls += 1
        return web.json_response({"access_token": f"T{self.token_calls}", "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        self.raw.append(await request.read())
        answer = self.answers.pop(0) if self.answers else {"errcode": 0, "errmsg": "ok"}
        if isinstance(answer, int):
            return web.Response(status=answer)
        if answer["errcode"] == 0:
            self.sent.append({"token": request.query["access_token"], **json.loads(self.raw[-1])})
        return web.json_response(answer)

    @property
    def contents(self) -> list[str]:
        return [s["text"]["content"] for s in self.sent]


class StubBot:
    """Stands in for Rasa: records each UserMessage and answers with ``script(text)`` after ``delay``."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []
        self.delay = 0.0
        self.fail = False
        self.script: Callable[[str], list[dict[str, Any]]] = lambda text: [{"text": f"收到：{text}"}]

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("the model exploded")
        for reply in self.script(message.text or ""):
            await message.output_channel.send_response(message.sender_id, dict(reply))

    @property
    def texts(self) -> list[str | None]:
        return [m.text for m in self.received]


@dataclass
class WeChat:
    """Plays WeChat's server against the channel: real XML, signed query, encrypted body in safe mode."""

    url: str
    session: aiohttp.ClientSession
    crypto: WeChatCrypto | None
    bot: StubBot
    channel: WeChatInput

    @staticmethod
    def query(age: float = 0, token: str = TOKEN) -> dict[str, str]:
        timestamp, nonce = str(int(time.time() - age)), uuid.uuid4().hex[:10]
        return {"timestamp": timestamp, "nonce": nonce, "signature": signature(token, timestamp, nonce)}

    @staticmethod
    def xml(msg_type: str, created: int = 0, **fields: str) -> str:
        data: dict[str, Any] = {"ToUserName": ACCOUNT, "FromUserName": OPENID}
        data |= {"CreateTime": created or int(time.time()), "MsgType": msg_type, **fields}
        if msg_type != "event":
            data["MsgId"] = next(MSG_IDS)
        return xmltodict.unparse({"xml": data}, full_document=False)

    def seal(self, xml: str, query: dict[str, str]) -> tuple[str, dict[str, str]]:
        """The safe-mode body and query WeChat would send for ``xml``."""
        assert self.crypto is not None
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, query["nonce"], query["timestamp"]))["xml"]
        body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{sealed['Encrypt']}</Encrypt></xml>"
        return body, {**query, "encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}

    async def post(
        self, body: str, query: dict[str, str] | None = None, seal: bool = True
    ) -> tuple[int, str]:
        query = query or self.query()
        if self.crypto and seal:
            body, query = self.seal(body, query)
        async with self.session.post(self.url, params=query, data=body.encode()) as answer:
            return answer.status, await answer.text()

    async def get(self, query: dict[str, str]) -> tuple[int, str]:
        async with self.session.get(self.url, params=query) as answer:
            return answer.status, await answer.text()

    def reply(self, body: str) -> dict[str, str]:
        """The passive reply's fields (decrypted in safe mode, which also checks its signature)."""
        if self.crypto:
            outer = xmltodict.parse(body)["xml"]
            body = self.crypto.decrypt_message(
                body, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"]
            )
        return dict(xmltodict.parse(body)["xml"])

    async def say(self, text: str) -> str:
        status, body = await self.post(self.xml("text", Content=text))
        assert status == 200
        return self.reply(body)["Content"]


@pytest.fixture
async def api() -> AsyncIterator[FakeAPI]:
    fake = FakeAPI()
    app = web.Application()
    app.router.add_get("/cgi-bin/token", fake.token)
    app.router.add_post("/cgi-bin/message/custom/send", fake.send)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    fake.base = f"http://127.0.0.1:{runner.addresses[0][1]}/"
    yield fake
    await runner.cleanup()


@contextlib.asynccontextmanager
async def running(api: FakeAPI, aes_key: str = "", token: str = TOKEN) -> AsyncIterator[WeChat]:
    """The channel mounted in a Sanic app on a loopback port, with a stub bot behind it."""
    settings = Settings(
        project_root=ROOT,
        wechat_token=token,
        wechat_app_id=APP_ID,
        wechat_app_secret=SECRET,
        wechat_aes_key=aes_key,
        wechat_api_base=api.base,
        wechat_reply_deadline_seconds=DEADLINE,
        wechat_max_clock_skew_seconds=300,
    )
    channel = WeChatInput(settings, WeChatClient(APP_ID, SECRET, api.base, timeout=2, backoff=0.01))
    channel.followup_delay_seconds = 0.01
    bot = StubBot()
    app = Sanic(f"wechat_{uuid.uuid4().hex}", configure_logging=False)
    app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/wechat")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks/wechat/webhook"
    # Sanic 21.12 rewrites its own class methods at each app's startup; only test mode can do that twice.
    with mock.patch.object(Sanic, "test_mode", True):
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        assert server is not None
        await server.startup()
        crypto = WeChatCrypto(TOKEN, aes_key, APP_ID) if aes_key else None
        try:
            async with aiohttp.ClientSession() as session:
                yield WeChat(url, session, crypto, bot, channel)
        finally:
            await channel.drain()
            server.close()
            await server.wait_closed()


@pytest.fixture
async def wechat(api: FakeAPI) -> AsyncIterator[WeChat]:
    async with running(api) as harness:
        yield harness


async def test_get_verification_echoes_only_with_a_good_signature(wechat: WeChat) -> None:
    assert await wechat.get({**wechat.query(), "echostr": "4242"}) == (200, "4242")
    assert (await wechat.get({**wechat.query(token="guess"), "echostr": "4242"}))[0] == 403
    assert (await wechat.get({**wechat.query(age=3600), "echostr": "4242"}))[0] == 403


async def test_off_without_a_token(api: FakeAPI) -> None:
    async with running(api, token="") as wechat:
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


async def test_safe_mode_round_trip_and_refusals(api: FakeAPI) -> None:
    async with running(api, aes_key=AES_KEY) as wechat:
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
