"""Where the WeChat access token is kept: in this process, or in Redis (REDIS_URL) for every server at once.

WeChat gives one valid token per account (a new one retires the old after a few minutes), so servers that each
fetched their own would keep invalidating each other's. With Redis, one server fetches under a lock and the others
read what it stored."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.redis_client import async_client
from bot.settings import Settings

logger = logging.getLogger(__name__)

Fetch = Callable[[], Awaitable[tuple[str, float]]]  # a new token from WeChat, and how many seconds to use it
LOCK_SECONDS = 30.0  # longer than a fetch with every retry; a server that died holding it frees it after this
POLL_SECONDS = 0.05
# KEYS[1] = the lock or the token, ARGV[1] = the value it must still hold: deleted only then, in one step.
COMPARE_AND_DELETE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class TokenCache(Protocol):
    async def get(self, fetch: Fetch) -> str:
        """The current token, calling ``fetch`` (once, whoever else is asking) when there is none."""

    async def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is still the current one (someone may have replaced it already)."""


class MemoryTokens:
    """The token in this process; one fetch at a time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock: asyncio.Lock | None = None

    async def get(self, fetch: Fetch) -> str:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._token and self.clock() < self._expires_at:
                return self._token
            token, seconds = await fetch()
            self._token, self._expires_at = token, self.clock() + seconds
            return token

    async def invalidate(self, token: str) -> None:
        if self._token == token:
            self._token = None


class RedisTokens:
    """The token under ``prefix + app_id``, expiring with it. A missing token is fetched by whoever takes the lock
    (SET NX with expiry, released only by its holder); the others poll until it appears. While Redis is
    unreachable this process keeps its own (and says so)."""

    def __init__(
        self,
        client: Any,
        app_id: str,
        prefix: str = "qybot:wechat:token:",
        lock_seconds: float = LOCK_SECONDS,
        fallback: MemoryTokens | None = None,
    ) -> None:
        self._client, self._key = client, prefix + app_id
        self._lock_key = self._key + ":lock"
        self.lock_seconds = lock_seconds
        self.fallback = fallback or MemoryTokens()
        self._local: asyncio.Lock | None = None  # one waiter per process is enough

    async def get(self, fetch: Fetch) -> str:
        import redis

        if self._local is None:
            self._local = asyncio.Lock()
        async with self._local:
            try:
                return await self._shared(fetch)
            except (redis.RedisError, OSError) as exc:
                logger.warning(
                    "wechat: Redis unavailable for the access token (%s); fetching here", type(exc).__name__
                )
                return await self.fallback.get(fetch)

    async def _shared(self, fetch: Fetch) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lock_seconds + 5  # past the lock's expiry: a dead holder's lock is ours
        while True:
            token = await self._client.get(self._key)
            if token:
                return token.decode() if isinstance(token, bytes) else str(token)
            mine = secrets.token_hex(16)
            if await self._client.set(self._lock_key, mine, nx=True, px=int(self.lock_seconds * 1000)):
                try:
                    token = await self._client.get(self._key)  # stored between our GET and our lock?
                    if token:
                        return token.decode() if isinstance(token, bytes) else str(token)
                    token, seconds = await fetch()
                    await self._client.set(self._key, token, px=max(1, int(seconds * 1000)))
                    return token
                finally:
                    await self._client.eval(COMPARE_AND_DELETE, 1, self._lock_key, mine)
            if loop.time() > deadline:
                raise asyncio.TimeoutError("another server is still fetching the access token")
            await asyncio.sleep(POLL_SECONDS)

    async def invalidate(self, token: str) -> None:
        import redis

        await self.fallback.invalidate(token)
        try:
            await self._client.eval(COMPARE_AND_DELETE, 1, self._key, token)
        except (redis.RedisError, OSError) as exc:
            logger.warning("wechat: Redis unavailable to retire the access token (%s)", type(exc).__name__)


def tokens_for(settings: Settings) -> TokenCache:
    """In-process, or in Redis when REDIS_URL is set (no connection is made here)."""
    if not settings.redis_url:
        return MemoryTokens()
    return RedisTokens(async_client(settings.redis_url), settings.wechat_app_id)
