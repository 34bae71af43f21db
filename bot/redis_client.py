"""Connections to the shared Redis of REDIS_URL: short timeouts, nothing connects until first used."""

from __future__ import annotations

import hashlib
from typing import Any

TIMEOUT_SECONDS = 0.5  # a slow or absent Redis must not hold up a reply: callers fall back or fail open


def sync_client(url: str) -> Any:
    """A blocking client (web app threads, rate limits)."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)


def async_client(url: str) -> Any:
    """An asyncio client (the WeChat channel inside Rasa's event loop); it connects within the loop using it."""
    import redis.asyncio

    return redis.asyncio.Redis.from_url(
        url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )


def digest(ident: str) -> str:
    """What a key carries instead of an OpenID or address: no personal data is kept in Redis."""
    return hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
