"""Fixed-window rate limits: counted per scope and identifier, refused past the limit until the window ends,
bounded in memory, shared through Redis when configured, and open (with a warning) when Redis fails."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
import redis

from bot.ratelimit import Limit, MemoryStore, RateLimiter, RedisStore, limiter_for
from bot.settings import Settings


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_refused_past_the_limit_until_the_window_ends() -> None:
    clock = Clock(1_000_040.0)  # 20 s into a 60 s window (1_000_020 is a multiple of 60)
    limiter = RateLimiter(MemoryStore(clock=clock), clock=clock)
    limit = Limit(3, 60)
    assert [limiter.hit("chat", "a", limit).allowed for _ in range(4)] == [True, True, True, False]
    assert limiter.hit("chat", "a", limit).retry_after == 40
    assert limiter.hit("chat", "b", limit).allowed  # another sender
    assert limiter.hit("other", "a", limit).allowed  # another scope
    clock.now += 40
    assert limiter.hit("chat", "a", limit).allowed  # a new window


def test_no_limit_when_zero() -> None:
    limiter = RateLimiter(MemoryStore())
    assert all(limiter.hit("chat", "a", Limit(0, 60)).allowed for _ in range(100))


def test_reached_counts_nothing_and_clear_forgets() -> None:
    limiter = RateLimiter(MemoryStore())
    limit = Limit(2, 900)
    assert limiter.reached("login", "admin", limit).allowed
    limiter.hit("login", "admin", limit)
    limiter.hit("login", "admin", limit)
    assert not limiter.reached("login", "admin", limit).allowed
    assert not limiter.reached("login", "admin", limit).allowed  # still two, not more
    limiter.clear("login", "admin", limit)
    assert limiter.reached("login", "admin", limit).allowed


def test_identifiers_are_hashed_in_the_store() -> None:
    store = MemoryStore()
    RateLimiter(store).hit("wechat-openid", "oUser0penIdSecret42", Limit(5, 60))
    (key,) = store._data
    assert key.startswith("wechat-openid:") and "oUser0penId" not in key


def test_memory_store_is_bounded_and_expires() -> None:
    clock = Clock(0.0)
    store = MemoryStore(max_keys=3, clock=clock)
    for i in range(5):
        store.incr(str(i), ttl=10)
    assert [store.get(str(i)) for i in range(5)] == [0, 0, 1, 1, 1]
    clock.now = 10.0
    assert store.get("4") == 0 and store.incr("4", ttl=10) == 1


def test_memory_store_counts_every_thread() -> None:
    store = MemoryStore()

    def hammer() -> None:
        for _ in range(200):
            store.incr("k", ttl=60)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("k") == 1600


class FakeRedis:
    """The few commands RedisStore uses (INCR, EXPIRE in a MULTI pipeline; GET; DELETE), with ``down`` to fail."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.ttls: dict[str, int] = {}
        self.transactions: list[list[tuple[str, ...]]] = []
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise redis.ConnectionError("connection refused")

    def pipeline(self, transaction: bool) -> Any:
        assert transaction
        fake, queued = self, []

        class Pipe:
            def incr(self, key: str) -> None:
                queued.append(("incr", key))

            def expire(self, key: str, seconds: int) -> None:
                queued.append(("expire", key, str(seconds)))

            def execute(self) -> list[Any]:
                fake._check()
                fake.transactions.append(list(queued))
                results: list[Any] = []
                for command, key, *rest in queued:
                    if command == "incr":
                        fake.values[key] = fake.values.get(key, 0) + 1
                        results.append(fake.values[key])
                    else:
                        fake.ttls[key] = int(rest[0])
                        results.append(True)
                return results

        return Pipe()

    def get(self, key: str) -> bytes | None:
        self._check()
        return str(self.values[key]).encode() if key in self.values else None

    def delete(self, key: str) -> None:
        self._check()
        self.values.pop(key, None)


def test_redis_store_counts_in_one_transaction_with_an_expiry() -> None:
    fake = FakeRedis()
    limiter = RateLimiter(RedisStore(fake), clock=Clock())
    limit = Limit(2, 60)
    assert [limiter.hit("chat-ip", "203.0.113.9", limit).allowed for _ in range(3)] == [True, True, False]
    (key,) = fake.values
    assert key.startswith("qybot:rl:chat-ip:") and fake.ttls[key] == 60
    assert all([c[0] for c in t] == ["incr", "expire"] for t in fake.transactions)
    assert not limiter.reached("chat-ip", "203.0.113.9", Limit(2, 60)).allowed
    limiter.clear("chat-ip", "203.0.113.9", limit)
    assert limiter.reached("chat-ip", "203.0.113.9", limit).allowed


def test_an_unreachable_redis_lets_messages_through_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeRedis()
    fake.down = True
    limiter = RateLimiter(RedisStore(fake))
    with caplog.at_level(logging.WARNING, logger="bot.ratelimit"):
        assert all(limiter.hit("chat-ip", "203.0.113.9", Limit(1, 60)).allowed for _ in range(3))
        assert limiter.reached("login-account", "admin", Limit(1, 60)).allowed
        limiter.clear("login-account", "admin", Limit(1, 60))
    assert "unavailable (ConnectionError)" in caplog.text and "203.0.113.9" not in caplog.text


def test_limiter_for_settings() -> None:
    assert isinstance(limiter_for(Settings()).store, MemoryStore)
    shared = limiter_for(Settings(redis_url="redis://127.0.0.1:1/0"))  # no connection is made
    assert isinstance(shared.store, RedisStore)
