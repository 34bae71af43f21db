"""Who is asking and how often: the client's address behind trusted proxies, and the web app's rate limiter."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from flask import Flask, current_app, request

from bot.ratelimit import RateLimiter, limiter_for
from bot.settings import Settings

EXTENSION = "qybot_limiter"


def client_ip(remote_addr: str, forwarded_for: str, trusted: Sequence[IPv4Network | IPv6Network]) -> str:
    """The client's address: the peer's own, unless the peer is a trusted proxy; then the nearest address in
    X-Forwarded-For that is not a trusted proxy (read from the right: only those entries are proxies' own;
    what lies further left may have been typed by the client)."""

    def is_trusted(address: str) -> bool:
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in trusted)

    if not forwarded_for or not is_trusted(remote_addr):
        return remote_addr
    nearest = remote_addr
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ip_address(hop)
        except ValueError:
            return nearest  # garbage where a proxy should have written an address: trust no further
        if not is_trusted(hop):
            return hop
        nearest = hop
    return nearest


def address_key(address: str) -> str:
    """The unit a per-address limit counts: an IPv4 address, or an IPv6 /64 (one subscriber's whole prefix)."""
    try:
        parsed = ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def request_ip() -> str:
    """This request's client address (see client_ip), with the app's TRUSTED_PROXIES."""
    settings = current_app.config["SETTINGS"]
    forwarded = request.headers.get("X-Forwarded-For", "")
    return client_ip(request.remote_addr or "", forwarded, settings.trusted_networks)


def install(app: Flask, settings: Settings) -> None:
    """Give ``app`` its limiter (in-process counters, or Redis ones: see bot.ratelimit.limiter_for)."""
    app.extensions[EXTENSION] = limiter_for(settings)


def limiter() -> RateLimiter:
    """The app's limiter (tests may replace it in app.extensions)."""
    installed: RateLimiter = current_app.extensions[EXTENSION]
    return installed
