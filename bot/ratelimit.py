"""Fixed-window counters for rate limits and sign-in locks: in this process by default, in Redis for several."""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.settings import Settings

logger = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """The shared counter store cannot be reached; limits are then not enforced (fail open)."""


class CounterStore(Protocol):
    """Where the counters live. Keys carry their window, so a counter only needs to expire after ``ttl``."""

    def incr(self, key: str, ttl: float) -> int:
        """Add one to ``key`` (created with ``ttl`` seconds to live) and return the new count."""

    def get(self, key: str) -> int:
        """The count of ``key`` (0 when absent or expired)."""

    def delete(self, key: str) -> None:
        """Forget ``key``."""


class MemoryStore:
    """Counters in this process (waitress threads share them; Rasa's one Sanic worker too), at most ``max_keys``.

    When full the oldest counter is dropped, which at worst lets one sender start its window afresh.
    """

    def __init__(self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._max, self._clock = max_keys, clock
        self._data: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def incr(self, key: str, ttl: float) -> int:
        with self._lock:
            now = self._clock()
            expires, count = self._data.get(key, (0.0, 0))
            if expires <= now:
                self._data.pop(key, None)
                expires, count = now + ttl, 0
            self._data[key] = (expires, count + 1)
            while self._data and (len(self._data) > self._max or next(iter(self._data.values()))[0] <= now):
                self._data.popitem(last=False)
            return count + 1

    def get(self, key: str) -> int:
        with self._lock:
            expires, count = self._data.get(key, (0.0, 0))
            return count if expires > self._clock() else 0

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


class RedisStore:
    """Counters in Redis (INCR and EXPIRE in one transaction), shared by every process that uses the same URL."""

    def __init__(self, client: Any, prefix: str = "qybot:rl:") -> None:
        self._client, self._prefix = client, prefix

    def incr(self, key: str, ttl: float) -> int:
        import redis

        try:
            pipe = self._client.pipeline(transaction=True)
            pipe.incr(self._prefix + key)
            pipe.expire(self._prefix + key, max(1, math.ceil(ttl)))
            count, _ = pipe.execute()
            return int(count)
        except redis.RedisError as exc:
            raise StoreUnavailable(type(exc).__name__) from exc

    def get(self, key: str) -> int:
        import redis

        try:
            return int(self._client.get(self._prefix + key) or 0)
        except redis.RedisError as exc:
            raise StoreUnavailable(type(exc).__name__) from exc

    def delete(self, key: str) -> None:
        import redis

        try:
            self._client.delete(self._prefix + key)
        except redis.RedisError as exc:
            raise StoreUnavailable(type(exc).__name__) from exc


@dataclass(frozen=True)
class Limit:
    """``count`` events per ``window`` seconds; a count of 0 or less means no limit."""

    count: int
    window: float


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds until the window ends, when refused


class RateLimiter:
    """Counts events per (scope, identifier) in fixed windows. Identifiers are hashed: no address or OpenID is
    kept in the store. A store that fails lets everything through and says so in the log."""

    def __init__(self, store: CounterStore, clock: Callable[[], float] = time.time) -> None:
        self.store, self.clock = store, clock

    def _key(self, scope: str, ident: str, limit: Limit) -> tuple[str, float]:
        now = self.clock()
        window = int(now // limit.window)
        digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        return f"{scope}:{window}:{digest}", (window + 1) * limit.window - now

    def hit(self, scope: str, ident: str, limit: Limit) -> Verdict:
        """Count one event; refused when it is over the limit (refused events count too)."""
        if limit.count <= 0 or limit.window <= 0:
            return Verdict(True)
        key, left = self._key(scope, ident, limit)
        try:
            count = self.store.incr(key, limit.window)
        except StoreUnavailable as exc:
            logger.warning("rate limit %s not checked: the counter store is unavailable (%s)", scope, exc)
            return Verdict(True)
        return Verdict(True) if count <= limit.count else Verdict(False, max(1, math.ceil(left)))

    def reached(self, scope: str, ident: str, limit: Limit) -> Verdict:
        """Refused when ``limit.count`` events are already counted in this window (counts nothing itself)."""
        if limit.count <= 0 or limit.window <= 0:
            return Verdict(True)
        key, left = self._key(scope, ident, limit)
        try:
            count = self.store.get(key)
        except StoreUnavailable as exc:
            logger.warning("rate limit %s not checked: the counter store is unavailable (%s)", scope, exc)
            return Verdict(True)
        return Verdict(True) if count < limit.count else Verdict(False, max(1, math.ceil(left)))

    def clear(self, scope: str, ident: str, limit: Limit) -> None:
        """Forget this window's count (a successful sign-in clears the account's failures)."""
        if limit.count <= 0 or limit.window <= 0:
            return
        try:
            self.store.delete(self._key(scope, ident, limit)[0])
        except StoreUnavailable as exc:
            logger.warning("rate limit %s not cleared: the counter store is unavailable (%s)", scope, exc)


def limiter_for(settings: Settings) -> RateLimiter:
    """In-process counters, or Redis ones when REDIS_URL is set (no connection is made here)."""
    if not settings.redis_url:
        return RateLimiter(MemoryStore())
    from bot.redis_client import sync_client

    return RateLimiter(RedisStore(sync_client(settings.redis_url)))
