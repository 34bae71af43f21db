"""What the WeChat channel remembers between messages (retried deliveries, each user's numbered options): in this
process, or in Redis (REDIS_URL) so that a retry or a "1" landing on another Rasa server is handled the same."""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from bot.redis_client import async_client, digest
from bot.settings import Settings

logger = logging.getLogger(__name__)

V = TypeVar("V")
SEEN_SECONDS = 600  # WeChat retries within 15 s; a delivery is remembered far longer than that
CHOICES_SECONDS = 24 * 3600  # a user's last numbered options
MAX_ENTRIES = 10_000  # per in-process map


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


class ChannelState(Protocol):
    """The channel's memory. Never raises: a shared store that fails falls back to this process's memory."""

    async def claim(self, key: str) -> bool:
        """True for the first delivery of a message (``Inbound.key``), False for every retry of it."""

    async def choices(self, openid: str) -> tuple[str, ...]:
        """The payloads of the numbered options last shown to this user (empty when none)."""

    async def set_choices(self, openid: str, payloads: tuple[str, ...]) -> None:
        """Remember the options just shown; an empty tuple forgets them."""


class MemoryState:
    """This process only (one Rasa server): a retry or a "1" reaching another server is not recognised."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.seen: TTLCache[bool] = TTLCache(SEEN_SECONDS, MAX_ENTRIES, clock)
        self.options: TTLCache[tuple[str, ...]] = TTLCache(CHOICES_SECONDS, MAX_ENTRIES, clock)

    async def claim(self, key: str) -> bool:
        if self.seen.get(key):
            return False
        self.seen.set(key, True)  # no await between the check and the mark: atomic within the event loop
        return True

    async def choices(self, openid: str) -> tuple[str, ...]:
        return self.options.get(openid) or ()

    async def set_choices(self, openid: str, payloads: tuple[str, ...]) -> None:
        if payloads:
            self.options.set(openid, payloads)
        else:
            self.options.pop(openid)


class RedisState:
    """Shared by every server using the same Redis: the first to SET NX a delivery's key processes it. Keys carry
    a digest, never an OpenID. While Redis is unreachable this process's memory stands in (and says so)."""

    def __init__(
        self, client: Any, prefix: str = "qybot:wechat:", fallback: MemoryState | None = None
    ) -> None:
        self._client, self._prefix = client, prefix
        self.fallback = fallback or MemoryState()

    def _unavailable(self, what: str, exc: Exception) -> None:
        logger.warning(
            "wechat: Redis unavailable for %s (%s); using this process's memory", what, type(exc).__name__
        )

    async def claim(self, key: str) -> bool:
        import redis

        try:
            claimed = await self._client.set(f"{self._prefix}seen:{digest(key)}", 1, nx=True, ex=SEEN_SECONDS)
        except (redis.RedisError, OSError) as exc:
            self._unavailable("de-duplication", exc)
            return await self.fallback.claim(key)
        await self.fallback.claim(key)  # so a retry during a later outage is still recognised here
        return bool(claimed)

    async def choices(self, openid: str) -> tuple[str, ...]:
        import redis

        try:
            raw = await self._client.get(f"{self._prefix}choices:{digest(openid)}")
        except (redis.RedisError, OSError) as exc:
            self._unavailable("numbered options", exc)
            return await self.fallback.choices(openid)
        try:
            loaded = json.loads(raw) if raw else []
        except ValueError:
            loaded = []
        return tuple(str(p) for p in loaded) if isinstance(loaded, list) else ()

    async def set_choices(self, openid: str, payloads: tuple[str, ...]) -> None:
        import redis

        await self.fallback.set_choices(openid, payloads)
        key = f"{self._prefix}choices:{digest(openid)}"
        try:
            if payloads:
                await self._client.set(
                    key, json.dumps(list(payloads), ensure_ascii=False), ex=CHOICES_SECONDS
                )
            else:
                await self._client.delete(key)
        except (redis.RedisError, OSError) as exc:
            self._unavailable("numbered options", exc)


def state_for(settings: Settings) -> ChannelState:
    """In-process memory, or Redis when REDIS_URL is set (no connection is made here)."""
    if not settings.redis_url:
        return MemoryState()
    return RedisState(async_client(settings.redis_url))
