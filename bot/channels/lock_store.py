"""Rasa's Redis lock store with its ticket bookkeeping made atomic across servers.

Rasa 3.6 issues a ticket by reading the conversation's lock from Redis, adding the ticket and writing it back. Two
servers doing that at the same moment both get ticket 0 and process the same conversation at once, and the slower
one's events are then dropped by the SQL tracker store (seen in tests/ops/test_scale_out.py). Here every
read-modify-write of a lock happens under a short Redis mutex (SET NX with expiry, released by token)."""

from __future__ import annotations

from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore

MUTEX_SECONDS = 5  # the bookkeeping takes milliseconds; a crashed holder frees the mutex after this


class AtomicRedisLockStore(RedisLockStore):
    """``lock_store: type: bot.channels.lock_store.AtomicRedisLockStore`` with RedisLockStore's settings."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any):
        if endpoint_config is not None:  # how Rasa builds a lock store named by its module path
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _mutex(self, conversation_id: str) -> Any:
        return self.red.lock(
            f"{self.key_prefix}mutex:{conversation_id}", timeout=MUTEX_SECONDS, blocking_timeout=MUTEX_SECONDS
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
