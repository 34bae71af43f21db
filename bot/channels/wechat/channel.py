"""The WeChat official-account input channel: signed webhook, passive reply within the deadline, 客服 API after."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply

from bot.channels.wechat.client import WeChatClient
from bot.channels.wechat.notices import StatusNotices, opens_window
from bot.channels.wechat.outbound import Outbound
from bot.channels.wechat.render import Texts, choice_payload, render, split_text
from bot.mediation.notices import Notice
from bot.settings import Settings, get_settings
from bot.yamlfile import read_yaml

logger = logging.getLogger(__name__)

V = TypeVar("V")
MAX_BODY_BYTES = 64 * 1024
GREET = "/greet"
SUBSCRIBE_EVENTS = {"subscribe", "subscribe_scan"}
OFF_MESSAGE = "WeChat channel is off: set WECHAT_TOKEN (see docs/wechat.md)"
LATE_NOTICE_WAIT_SECONDS = 30.0  # after the deadline, how long a late reply waits for the status notices


class TTLCache(Generic[V]):
    """A bounded in-memory map whose entries expire (retried deliveries, each user's last button payloads)."""

    def __init__(self, ttl: float, max_size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.max_size, self.clock = ttl, max_size, clock
        self._data: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def _prune(self) -> None:
        now = self.clock()  # one TTL for all, so insertion order is expiry order
        while self._data and (len(self._data) > self.max_size or next(iter(self._data.values()))[0] <= now):
            self._data.popitem(last=False)

    def get(self, key: str) -> V | None:
        self._prune()
        item = self._data.get(key)
        return item[1] if item else None

    def set(self, key: str, value: V) -> None:
        self._data.pop(key, None)
        self._data[key] = (self.clock() + self.ttl, value)
        self._prune()

    def pop(self, key: str) -> None:
        self._data.pop(key, None)


def signature(*parts: str) -> str:
    """WeChat's SHA-1 over the sorted, concatenated parts (token, timestamp, nonce[, encrypted body])."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


class WeChatInput(InputChannel):
    """POST /webhooks/wechat/webhook receives messages; GET answers WeChat's server verification."""

    followup_delay_seconds = 0.3  # lets the passive reply reach the user before the extra parts

    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Nothing is read from credentials.yml: secrets come from the environment (bot.settings)."""
        return cls()

    def __init__(self, settings: Settings | None = None, client: WeChatClient | None = None) -> None:
        self.settings = settings or get_settings()
        s = self.settings
        self.client = client or WeChatClient(s.wechat_app_id, s.wechat_app_secret, s.wechat_api_base)
        self.crypto = (
            WeChatCrypto(s.wechat_token, s.wechat_aes_key, s.wechat_app_id)
            if s.wechat_token and s.wechat_aes_key
            else None
        )
        path = s.knowledge_dir / "messages.yml"
        self.messages: dict[str, Any] = read_yaml(path)
        self.texts = Texts.from_messages(self.messages)
        self.seen: TTLCache[bool] = TTLCache(ttl=600, max_size=10_000)
        self.choices: TTLCache[tuple[str, ...]] = TTLCache(ttl=24 * 3600, max_size=10_000)
        self.outbound = Outbound(self.client)
        self.notices = StatusNotices(s, self.client)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("wechat_webhook")

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.wechat_token else "off"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
            logger.info("wechat: server verification passed")
            return response.text(request.args.get("echostr", ""))

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
            return await self._receive(request, on_new_message)

        @webhook.listener("after_server_start")
        async def start_notices(*_: Any) -> None:
            if self.settings.wechat_token:
                self.notices.start()

        @webhook.listener("before_server_stop")
        async def finish_sends(*_: Any) -> None:
            await self.notices.stop()
            with contextlib.suppress(asyncio.TimeoutError):  # give pending replies 10 s, then stop anyway
                await asyncio.wait_for(self.drain(), timeout=10)

        return webhook

    def _refusal(self, request: Request) -> HTTPResponse | None:
        """503 when the channel is off; 403 for a bad signature or a timestamp outside the allowed skew."""
        token = self.settings.wechat_token
        if not token:
            return response.text(OFF_MESSAGE, status=503)
        timestamp = request.args.get("timestamp", "")
        given = request.args.get("signature", "")
        expected = signature(token, timestamp, request.args.get("nonce", ""))
        if not hmac.compare_digest(given.encode(), expected.encode()):
            logger.warning("wechat: refused a request with a bad signature")
            return response.text("bad signature", status=403)
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            skew = float("inf")
        if skew > self.settings.wechat_max_clock_skew_seconds:
            logger.warning("wechat: refused a stale or future timestamp (possible replay)")
            return response.text("stale timestamp", status=403)
        return None

    def _plain_xml(self, request: Request) -> str:
        """The message XML; in safe mode decrypted after checking msg_signature (raises on any fault)."""
        if self.crypto is None:
            return request.body.decode("utf-8")
        args = request.args  # .get gives the first value ([] would give the list)
        msg_signature = args.get("msg_signature")
        if not msg_signature:
            raise InvalidSignatureException()
        timestamp, nonce = args.get("timestamp"), args.get("nonce")
        decrypted = self.crypto.decrypt_message(request.body, msg_signature, timestamp, nonce)
        return str(decrypted)

    async def _receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        if len(request.body or b"") > MAX_BODY_BYTES:
            return response.text("too large", status=413)
        try:
            xml = self._plain_xml(request)
        except (InvalidSignatureException, InvalidAppIdException):
            logger.warning("wechat: refused a message with a bad msg_signature or AppID")
            return response.text("bad signature", status=403)
        except Exception as exc:  # a body that does not decrypt or decode is the sender's fault
            logger.warning("wechat: undecodable body (%s)", type(exc).__name__)
            return response.text("bad message", status=400)
        try:
            message = parse_message(xml)
            openid = str(message.source or "")
            raw_type = str(message._data.get("MsgType", "")).lower()  # unknown events parse as UnknownMessage
            kind = f"event:{message._data.get('Event', '')}" if raw_type == "event" else raw_type
            key = f"msg:{message.id}" if message.id else f"event:{openid}:{message.time}"
        except Exception as exc:  # malformed XML, wrong root, missing MsgType, non-numeric MsgId…
            logger.warning("wechat: malformed message XML (%s)", type(exc).__name__)
            return response.text("bad message", status=400)
        if not openid:
            return response.text("bad message", status=400)
        if self.seen.get(key):
            logger.info("wechat %s: duplicate delivery ignored", kind)
            return response.text("success")
        self.seen.set(key, True)

        notices = self.notices.inbound(openid) if opens_window(kind) else None
        text, canned = self._interpret(message, openid, kind)
        if canned is not None or text is None:
            shown = await self.notices.take(notices, self.settings.wechat_reply_deadline_seconds)
            logger.info("wechat %s: %s", kind, "canned reply" if canned else "nothing to answer")
            return self._reply_parts(request, message, [*shown, canned or ""])
        return await self._answer(request, message, kind, text, on_new_message, notices)

    def _interpret(self, message: Any, openid: str, kind: str) -> tuple[str | None, str | None]:
        """(text for the bot, canned reply): at most one is set; neither means answer "success"."""
        if kind.startswith("event:"):
            event = kind.removeprefix("event:").lower()
            if event == "unsubscribe":
                self.choices.pop(openid)
            return (GREET, None) if event in SUBSCRIBE_EVENTS else (None, None)
        if kind == "text":
            text = str(message.content or "").strip()
            if not text:
                return None, self.messages["empty_message"]
        elif kind == "voice":
            text = str(message.recognition or "").strip()
            if not text:
                return None, self.messages["wechat_voice_unrecognized"]
        elif kind == "location":
            text = str(message.label or "").strip()
            return (text, None) if text else (None, self.messages["wechat_location_unknown"])
        else:
            return None, self.messages["wechat_please_type"]
        limit = self.settings.max_message_chars
        if len(text) > limit:
            return None, self.messages["too_long"].format(limit=limit)
        return choice_payload(text, self.choices.get(openid) or ()) or text, None

    async def _answer(
        self,
        request: Request,
        message: Any,
        kind: str,
        text: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        notices: asyncio.Task[list[Notice]] | None = None,
    ) -> HTTPResponse:
        """Run the bot; a passive reply if it answers within the deadline, else "success" and the API later.
        The user's undelivered status notices (``notices``) come first."""
        openid = str(message.source)
        collector = CollectingOutputChannel()
        message_id = str(message.id) if message.id else None
        user_message = UserMessage(text, collector, openid, input_channel=self.name(), message_id=message_id)
        task = asyncio.ensure_future(on_new_message(user_message))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.wechat_reply_deadline_seconds
        try:
            await asyncio.wait_for(asyncio.shield(task), self.settings.wechat_reply_deadline_seconds)
        except asyncio.TimeoutError:
            logger.info("wechat %s: past the deadline, will reply by customer-service message", kind)
            self.outbound.spawn(self._follow_up(openid, task, collector, notices))
            return response.text("success")
        except Exception as exc:
            logger.error("wechat %s: the bot failed (%s)", kind, type(exc).__name__)
            shown = await self.notices.take(notices, deadline - loop.time())
            return self._reply_parts(request, message, [*shown, self.messages["bot_unavailable"]])
        parts = self._parts(openid, collector, await self.notices.take(notices, deadline - loop.time()))
        logger.info("wechat %s: passive reply (%d part(s) in all)", kind, len(parts))
        return self._reply_parts(request, message, parts)

    def _parts(self, openid: str, collector: CollectingOutputChannel, first: Sequence[str] = ()) -> list[str]:
        """The turn rendered and split, after ``first`` (status notices); remembers its button payloads."""
        rendered = render(collector.messages, self.texts)
        if rendered.payloads:
            self.choices.set(openid, rendered.payloads)
        else:
            self.choices.pop(openid)
        return split_text("\n\n".join([*first, rendered.text]))

    def _reply_parts(self, request: Request, message: Any, parts: list[str]) -> HTTPResponse:
        """The first part as the passive reply, the rest as customer-service messages; "success" if none."""
        parts = split_text("\n\n".join(parts))
        if not parts:
            return response.text("success")
        if len(parts) > 1:
            delay = self.followup_delay_seconds
            self.outbound.spawn(self.outbound.send(str(message.source), parts[1:], delay=delay))
        return self._reply(request, message, parts[0])

    def _reply(self, request: Request, message: Any, text: str) -> HTTPResponse:
        """A passive text reply, encrypted in safe mode (a "]]>" in the text must not end wechatpy's CDATA)."""
        xml = TextReply(message=message, content=text.replace("]]>", "]]]]><![CDATA[>")).render()
        if self.crypto is not None:
            xml = self.crypto.encrypt_message(xml, request.args.get("nonce", ""), str(int(time.time())))
        return response.text(xml, content_type="application/xml; charset=utf-8")

    async def _follow_up(
        self,
        openid: str,
        task: asyncio.Future,
        collector: CollectingOutputChannel,
        notices: asyncio.Task[list[Notice]] | None,
    ) -> None:
        shown = await self.notices.take(notices, LATE_NOTICE_WAIT_SECONDS)
        try:
            await task
            parts = self._parts(openid, collector, shown)
        except Exception as exc:
            logger.error("wechat: the bot failed after the deadline (%s)", type(exc).__name__)
            parts = split_text("\n\n".join([*shown, self.messages["bot_unavailable"]]))
        await self.outbound.send(openid, parts)

    async def drain(self) -> None:
        """Wait for the background sends (at shutdown, and in tests)."""
        await self.outbound.drain()
