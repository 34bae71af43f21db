"""Customer-service sends in the background: a turn's parts in order, stopping at WeChat's first refusal."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from bot.channels.wechat.client import WeChatAPIError, WeChatClient

logger = logging.getLogger(__name__)


class Outbound:
    """Background customer-service sends, kept referenced until done and drained at shutdown."""

    def __init__(self, client: WeChatClient) -> None:
        self.client = client
        self._tasks: set[asyncio.Task] = set()

    async def send(self, openid: str, parts: list[str], delay: float = 0.0) -> None:
        """Customer-service messages, in order; stops at the first refusal (e.g. 45015: past 48 hours)."""
        await asyncio.sleep(delay)
        if not self.client.configured:
            logger.warning("wechat: %d part(s) dropped: WECHAT_APP_ID/WECHAT_APP_SECRET not set", len(parts))
            return
        for sent, part in enumerate(parts):
            try:
                await self.client.send_text(openid, part)
            except WeChatAPIError as exc:
                logger.warning(
                    "wechat: send refused (errcode %s), %d of %d part(s) sent", exc.errcode, sent, len(parts)
                )
                return
        logger.info("wechat: %d customer-service message(s) sent", len(parts))

    def spawn(self, coroutine: Awaitable[None]) -> None:
        """A background task kept referenced until done; its failure is logged, never raised."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)

        def done(finished: asyncio.Task) -> None:
            self._tasks.discard(finished)
            if not finished.cancelled() and finished.exception() is not None:
                logger.error("wechat: background send failed (%s)", type(finished.exception()).__name__)

        task.add_done_callback(done)

    async def drain(self) -> None:
        """Wait for the background sends (at shutdown, and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
