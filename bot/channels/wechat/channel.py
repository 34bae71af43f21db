"""The WeChat official-account input channel: signed webhook, passive reply within the deadline, 客服 API after."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply

from bot.channels.wechat.client import WeChatClient
from bot.channels.wechat.inbound import QUERY_KEYS, Refused, check_query, read_message
from bot.channels.wechat.notices import StatusNotices, opens_window
from bot.channels.wechat.outbound import Outbound
from bot.channels.wechat.render import Texts, choice_payload, render, split_text
from bot.channels.wechat.state import state_for
from bot.channels.wechat.tokens import tokens_for
from bot.mediation.notices import Notice
from bot.ratelimit import Limit, limiter_for
from bot.settings import Settings, get_settings
from bot.textinput import clean_text, is_blank
from bot.yamlfile import read_yaml

logger = logging.getLogger(__name__)

GREET = "/greet"
SUBSCRIBE_EVENTS = {"subscribe", "subscribe_scan"}
OFF_MESSAGE = "WeChat channel is off: set WECHAT_TOKEN (see docs/wechat.md)"
LATE_NOTICE_WAIT_SECONDS = 30.0  # after the deadline, how long a late reply waits for the status notices


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
        self.client = client or WeChatClient(
            s.wechat_app_id, s.wechat_app_secret, s.wechat_api_base, tokens=tokens_for(s)
        )
        self.crypto = (
            WeChatCrypto(s.wechat_token, s.wechat_aes_key, s.wechat_app_id)
            if s.wechat_token and s.wechat_aes_key
            else None
        )
        path = s.knowledge_dir / "messages.yml"
        self.messages: dict[str, Any] = read_yaml(path)
        self.texts = Texts.from_messages(self.messages)
        self.state = state_for(s)  # retried deliveries and numbered options, shared when REDIS_URL is set
        self.outbound = Outbound(self.client)
        self.notices = StatusNotices(s, self.client)
        self.limiter = limiter_for(s)

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

    def _query(self, request: Request) -> dict[str, str]:
        return {key: str(request.args.get(key) or "") for key in QUERY_KEYS}  # .get gives the first value

    def _refusal(self, request: Request) -> HTTPResponse | None:
        """503 when the channel is off; 403 for a bad signature or a timestamp outside the allowed skew."""
        token = self.settings.wechat_token
        if not token:
            return response.text(OFF_MESSAGE, status=503)
        try:
            check_query(token, self._query(request), self.settings.wechat_max_clock_skew_seconds)
        except Refused as refused:
            return response.text(refused.reason, status=refused.status)
        return None

    async def _receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        try:
            inbound = read_message(request.body or b"", self._query(request), self.crypto)
        except Refused as refused:
            return response.text(refused.reason, status=refused.status)
        message, openid, kind = inbound.message, inbound.openid, inbound.kind
        if not await self.state.claim(inbound.key):
            logger.info("wechat %s: duplicate delivery ignored", kind)
            return response.text("success")

        notices = self.notices.inbound(openid) if opens_window(kind) else None
        text, canned = await self._interpret(message, openid, kind)
        if text is not None and canned is None:
            canned = await self._over_limit(openid)
        if canned is not None or text is None:
            shown = await self.notices.take(notices, self.settings.wechat_reply_deadline_seconds)
            logger.info("wechat %s: %s", kind, "canned reply" if canned else "nothing to answer")
            return self._reply_parts(request, message, [*shown, canned or ""])
        return await self._answer(request, message, kind, text, on_new_message, notices)

    async def _over_limit(self, openid: str) -> str | None:
        """The polite "too fast" reply when this OpenID is over WECHAT_LIMIT_PER_OPENID, else None."""
        limit = Limit(self.settings.wechat_limit_per_openid, self.settings.rate_limit_window_seconds)
        verdict = await asyncio.to_thread(self.limiter.hit, "wechat-openid", openid, limit)
        if verdict.allowed:
            return None
        logger.info("wechat: a sender is over the rate limit")
        return str(self.messages["rate_limited"]).format(seconds=verdict.retry_after)

    async def _interpret(self, message: Any, openid: str, kind: str) -> tuple[str | None, str | None]:
        """(text for the bot, canned reply): at most one is set; neither means answer "success"."""
        if kind.startswith("event:"):
            event = kind.removeprefix("event:").lower()
            if event == "unsubscribe":
                await self.state.set_choices(openid, ())
            return (GREET, None) if event in SUBSCRIBE_EVENTS else (None, None)
        if kind == "text":
            text = clean_text(str(message.content or ""))
            if is_blank(text):
                return None, self.messages["empty_message"]
        elif kind == "voice":
            text = clean_text(str(message.recognition or ""))
            if not text:
                return None, self.messages["wechat_voice_unrecognized"]
        elif kind == "location":
            text = clean_text(str(message.label or ""))
            return (text, None) if text else (None, self.messages["wechat_location_unknown"])
        else:
            return None, self.messages["wechat_please_type"]
        limit = self.settings.max_message_chars
        if len(text) > limit:
            return None, self.messages["too_long"].format(limit=limit)
        return choice_payload(text, await self.state.choices(openid)) or text, None

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
        parts = await self._parts(openid, collector, await self.notices.take(notices, deadline - loop.time()))
        logger.info("wechat %s: passive reply (%d part(s) in all)", kind, len(parts))
        return self._reply_parts(request, message, parts)

    async def _parts(
        self, openid: str, collector: CollectingOutputChannel, first: Sequence[str] = ()
    ) -> list[str]:
        """The turn rendered and split, after ``first`` (status notices); remembers its button payloads."""
        rendered = render(collector.messages, self.texts)
        await self.state.set_choices(openid, rendered.payloads)
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
            parts = await self._parts(openid, collector, shown)
        except Exception as exc:
            logger.error("wechat: the bot failed after the deadline (%s)", type(exc).__name__)
            parts = split_text("\n\n".join([*shown, self.messages["bot_unavailable"]]))
        await self.outbound.send(openid, parts)

    async def drain(self) -> None:
        """Wait for the background sends (at shutdown, and in tests)."""
        await self.outbound.drain()
