"""The atomic lock store hands out distinct tickets however many servers ask at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.channels.lock_store import AtomicRedisLockStore


def test_tickets_issued_at_once_by_many_servers_are_distinct(redis_port: int) -> None:
    stores = [AtomicRedisLockStore(host="127.0.0.1", port=redis_port, key_prefix="t") for _ in range(8)]
    for attempt in range(5):
        conversation = f"c{attempt}"
        with ThreadPoolExecutor(max_workers=8) as pool:
            tickets = list(pool.map(lambda store, c=conversation: store.issue_ticket(c), stores))
        assert sorted(tickets) == list(range(8))


def test_it_is_built_the_way_rasa_builds_a_custom_lock_store(redis_port: int) -> None:
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig(
        url="127.0.0.1",
        type="bot.channels.lock_store.AtomicRedisLockStore",
        port=str(redis_port),
        db="1",
        key_prefix="qybot",
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.issue_ticket("x") == 0 and store.issue_ticket("x") == 1
