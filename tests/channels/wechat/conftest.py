"""Fakes for the WeChat channel tests: the WeChat API server, a scripted bot, and a client signing real XML;
each harness has its own migrated SQLite database (status notices are recorded there)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import aiohttp
import pytest
import xmltodict
from aiohttp import web
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from wechatpy.crypto import WeChatCrypto

from bot.channels.wechat.channel import WeChatInput
from bot.channels.wechat.client import WeChatClient
from bot.channels.wechat.inbound import signature
from bot.channels.wechat.tokens import tokens_for
from bot.settings import Settings
from tests.paths import ROOT

TOKEN, APP_ID, SECRET = "t0ken", "wx0123456789abcdef", "app-secret"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters, like the console's
OPENID, ACCOUNT = "oUser0penIdSecret42", "gh_qingyuan"
DEADLINE = 1.0  # WeChat allows 5 s; short here to keep the tests quick, long enough for a slow CI disk
MSG_IDS = itertools.count(6_000_000_000)


class FakeAPI:
    """cgi-bin/token and cgi-bin/message/custom/send; ``answers`` scripts the next sends (JSON or a status)."""

    def __init__(self) -> None:
        self.token_calls = 0
        self.sent: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.answers: list[dict[str, Any] | int] = []
        self.base = ""
        self.delay = 0.0  # seconds each send takes

    async def token(self, request: web.Request) -> web.Response:
        assert (request.query["appid"], request.query["secret"]) == (APP_ID, SECRET)
        self.token_calls += 1
        return web.json_response({"access_token": f"T{self.token_calls}", "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        self.raw.append(await request.read())
        await asyncio.sleep(self.delay)
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


@pytest.fixture
def wechat_db(tmp_path: Path) -> Iterator[str]:
    """A migrated, empty SQLite database for one channel harness (the tests never touch var/)."""
    from bot.db.migrate import upgrade
    from bot.db.session import get_engine

    url = f"sqlite:///{tmp_path / 'wechat.db'}"
    upgrade(url)
    yield url
    get_engine(url).dispose()


@contextlib.asynccontextmanager
async def running(
    api: FakeAPI, database_url: str, aes_key: str = "", token: str = TOKEN, **extra: Any
) -> AsyncIterator[WeChat]:
    """The channel mounted in a Sanic app on a loopback port, with a stub bot behind it; the server's
    start and stop listeners run as in production (the status notice dispatcher among them). Two of these with
    the same ``redis_url`` are two Rasa servers behind one account."""
    settings = Settings(
        project_root=ROOT,
        database_url=database_url,
        wechat_token=token,
        wechat_app_id=APP_ID,
        wechat_app_secret=SECRET,
        wechat_aes_key=aes_key,
        wechat_api_base=api.base,
        wechat_reply_deadline_seconds=DEADLINE,
        wechat_max_clock_skew_seconds=300,
        **extra,
    )
    client = WeChatClient(APP_ID, SECRET, api.base, timeout=2, backoff=0.01, tokens=tokens_for(settings))
    channel = WeChatInput(settings, client)
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
        await server.after_start()
        crypto = WeChatCrypto(TOKEN, aes_key, APP_ID) if aes_key else None
        try:
            async with aiohttp.ClientSession() as session:
                yield WeChat(url, session, crypto, bot, channel)
        finally:
            await server.before_stop()
            await channel.drain()
            server.close()
            await server.wait_closed()


@pytest.fixture
async def wechat(api: FakeAPI, wechat_db: str) -> AsyncIterator[WeChat]:
    async with running(api, wechat_db) as harness:
        yield harness
