"""Once-only delivery for /api/chat: a message id retried after a dropped connection gets the first reply."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Slot:
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    at: float = 0.0


class ReplyCache:
    """Per (sender, message id): the first request forwards to Rasa; a retry waits for and returns that reply.

    In memory, so it covers one web process (the waitress threads of `make run`); with several processes a
    shared store would be needed. A failed forward is not remembered, so a retry after an error tries again.
    """

    def __init__(
        self, ttl: float = 600.0, max_size: int = 10_000, clock: Callable[[], float] = time.monotonic
    ):
        self._ttl, self._max, self._clock = ttl, max_size, clock
        self._slots: OrderedDict[tuple[str, str], _Slot] = OrderedDict()
        self._lock = threading.Lock()

    def once(self, key: tuple[str, str], forward: Callable[[], Any], wait: float) -> Any:
        """``forward()``'s result for the first call with ``key``; later calls get the same result."""
        with self._lock:
            self._prune()
            slot = self._slots.get(key)
            first = slot is None
            if slot is None:
                slot = self._slots[key] = _Slot(at=self._clock())
        if not first:
            if slot.done.wait(wait) and slot.result is not None:
                return slot.result
            raise TimeoutError("the first delivery of this message has not finished")
        try:
            slot.result = forward()
        except BaseException:
            with self._lock:
                self._slots.pop(key, None)
            slot.done.set()
            raise
        slot.done.set()
        return slot.result

    def _prune(self) -> None:
        now = self._clock()
        while self._slots:
            slot = next(iter(self._slots.values()))
            if len(self._slots) <= self._max and now - slot.at < self._ttl:
                break
            self._slots.popitem(last=False)
