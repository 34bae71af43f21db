"""Status notices in the WeChat channel: shown with the user's next reply, or pushed within 48 hours."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timezone

from bot.mediation.notices import Notice, NoticeTexts, Outbox, TextSender
from bot.settings import Settings

logger = logging.getLogger(__name__)

# What opens WeChat's 48-hour customer-service window besides a message: following, scanning a QR code and
# the menu events WeChat lists (a VIEW menu, a location report or unfollowing do not).
WINDOW_EVENTS = frozenset(
    {"subscribe", "subscribe_scan", "scan", "click", "scancode_push", "scancode_waitmsg"}
)


def opens_window(kind: str) -> bool:
    """Whether a message of this kind ("text", "event:CLICK"…) lets us send customer-service messages."""
    return not kind.startswith("event:") or kind.removeprefix("event:").lower() in WINDOW_EVENTS


class StatusNotices:
    """The channel's side of bot.mediation.notices: never fails a message, and never logs an OpenID."""

    def __init__(self, settings: Settings, sender: TextSender) -> None:
        self.outbox = Outbox(
            settings.db_url,
            settings.secret_key,
            NoticeTexts.from_knowledge(settings.knowledge_dir),
            settings.wechat_notify_max_attempts,
            settings.previous_secret_keys,
        )
        self.sender = sender
        self.interval = settings.wechat_notify_interval_seconds
        self._task: asyncio.Task | None = None
        self._releases: set[asyncio.Task] = set()

    def inbound(self, openid: str) -> asyncio.Task[list[Notice]]:
        """Start recording this message (in a worker thread); the task gives the notices to show first."""
        return asyncio.ensure_future(self._inbound(openid))

    async def _inbound(self, openid: str) -> list[Notice]:
        try:
            return await self.outbox.inbound(openid, datetime.now(timezone.utc))
        except Exception as exc:
            logger.error("wechat: recording the message for status notices failed (%s)", type(exc).__name__)
            return []

    async def take(self, pending: asyncio.Task[list[Notice]] | None, wait: float) -> list[str]:
        """The texts to put before the reply. If the database takes longer than ``wait`` seconds, the reply
        goes without them, and they are made pending again (for the dispatcher or the next message)."""
        if pending is None:
            return []
        try:
            notices = await asyncio.wait_for(asyncio.shield(pending), max(wait, 0.05))
        except asyncio.TimeoutError:
            logger.warning("wechat: status notices were late for the reply; they stay pending")
            release = asyncio.ensure_future(self._release(pending))
            self._releases.add(release)
            release.add_done_callback(self._releases.discard)
            return []
        return [n.text for n in notices]

    async def _release(self, pending: asyncio.Task[list[Notice]]) -> None:
        try:
            await self.outbox.release(await pending)
        except Exception as exc:
            logger.error("wechat: could not release late status notices (%s)", type(exc).__name__)

    async def dispatch_once(self) -> tuple[int, int]:
        """One pass of the dispatcher (sent, failed); an error is logged, never raised."""
        try:
            return await self.outbox.dispatch_pending(self.sender, datetime.now(timezone.utc))
        except Exception as exc:
            logger.error("wechat: status notice dispatch failed (%s)", type(exc).__name__)
            return 0, 0

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.dispatch_once()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the periodic dispatcher (once; only where customer-service messages can be sent)."""
        if self.running or not self.sender.configured:
            return
        self._task = asyncio.ensure_future(self._run())
        logger.info("wechat: status notice dispatcher started (every %.0f s)", self.interval)

    async def stop(self) -> None:
        """Cancel the dispatcher (a notice it was sending goes back to pending once its claim lapses)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.gather(*list(self._releases), return_exceptions=True)
