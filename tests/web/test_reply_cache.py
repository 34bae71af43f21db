"""ReplyCache: one forward per (sender, id), concurrent retries wait for it, entries expire."""

import threading
import time

import pytest

from bot.web.reply_cache import ReplyCache


def test_a_retry_during_the_first_delivery_waits_for_its_reply() -> None:
    cache = ReplyCache()
    started, release, calls = threading.Event(), threading.Event(), []

    def slow() -> list:
        calls.append(1)
        started.set()
        release.wait(5)
        return ["first"]

    results: list = []
    first = threading.Thread(target=lambda: results.append(cache.once(("s", "m"), slow, wait=5)))
    first.start()
    started.wait(5)
    second = threading.Thread(target=lambda: results.append(cache.once(("s", "m"), slow, wait=5)))
    second.start()
    time.sleep(0.05)
    release.set()
    first.join(5)
    second.join(5)
    assert results == [["first"], ["first"]] and len(calls) == 1


def test_a_retry_that_outwaits_the_first_delivery_times_out() -> None:
    cache = ReplyCache()
    release = threading.Event()
    worker = threading.Thread(
        target=lambda: cache.once(("s", "m"), lambda: release.wait(5) and ["x"], wait=5)
    )
    worker.start()
    time.sleep(0.05)
    with pytest.raises(TimeoutError):
        cache.once(("s", "m"), lambda: ["never"], wait=0.01)
    release.set()
    worker.join(5)


def test_entries_expire() -> None:
    now = [0.0]
    cache = ReplyCache(ttl=10, clock=lambda: now[0])
    calls: list[int] = []

    def forward() -> list:
        calls.append(1)
        return ["r"]

    cache.once(("s", "m"), forward, wait=1)
    now[0] = 11
    cache.once(("s", "m"), forward, wait=1)
    assert len(calls) == 2
