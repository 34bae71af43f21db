"""Rate limits on /api/chat (per sender, per client address), and the client address behind trusted proxies."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from flask import Flask

from bot.ratelimit import MemoryStore, RateLimiter
from bot.settings import Settings
from bot.web.limits import EXTENSION, address_key, client_ip
from tests.web.conftest import make_app

LOOPBACK = Settings().trusted_networks
PROXIES = (*LOOPBACK, ip_network("10.0.0.0/8"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("203.0.113.7", "", LOOPBACK, "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", LOOPBACK, "203.0.113.7"),  # not from a proxy: the header is ignored
        ("127.0.0.1", "203.0.113.7", LOOPBACK, "203.0.113.7"),  # nginx on the same machine
        ("127.0.0.1", "1.2.3.4, 203.0.113.7", LOOPBACK, "203.0.113.7"),  # the client typed 1.2.3.4 itself
        ("::1", "2001:db8::1", LOOPBACK, "2001:db8::1"),
        ("127.0.0.1", "203.0.113.7, 10.0.0.5", PROXIES, "203.0.113.7"),  # two proxies in a row
        ("127.0.0.1", "10.0.0.9, 10.0.0.5", PROXIES, "10.0.0.9"),  # only proxies: the farthest one
        ("127.0.0.1", "203.0.113.7, garbage", LOOPBACK, "127.0.0.1"),
        ("127.0.0.1", "", LOOPBACK, "127.0.0.1"),
        ("127.0.0.1", "203.0.113.7", (), "127.0.0.1"),  # TRUSTED_PROXIES empty: never believed
    ],
)
def test_client_ip(peer: str, forwarded: str, trusted: tuple, client: str) -> None:
    assert client_ip(peer, forwarded, trusted) == client


def test_address_key_groups_an_ipv6_subscriber() -> None:
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_key("203.0.113.7") == "203.0.113.7"


def test_trusted_proxies_setting() -> None:
    assert Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8").trusted_networks == (
        ip_network("127.0.0.1/32"),
        ip_network("10.0.0.0/8"),
    )
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        Settings(trusted_proxies="127.0.0.1,nginx")


class Clock:
    def __init__(self) -> None:
        self.now = 6_000_000.0  # the start of a minute

    def __call__(self) -> float:
        return self.now


def limited_app(clock: Clock, **settings: object) -> Flask:
    app = make_app(**settings)
    app.extensions[EXTENSION] = RateLimiter(MemoryStore(clock=clock), clock=clock)
    return app


def say(app: Flask, sender: str, peer: str = "127.0.0.1", forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return app.test_client().post(
        "/api/chat",
        json={"sender": sender, "message": "你好"},
        headers=headers,
        environ_base={"REMOTE_ADDR": peer},
    )


def test_one_sender_over_the_limit_gets_a_polite_429(db_url: str, rasa_calls: list) -> None:
    clock = Clock()
    app = limited_app(clock, chat_limit_per_sender=3, chat_limit_per_ip=100)
    assert [say(app, "sender-aaaa1").status_code for _ in range(3)] == [200, 200, 200]
    clock.now += 45
    refused = say(app, "sender-aaaa1")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "15"
    data = refused.get_json()
    assert data["error"] == "rate_limited"
    assert data["messages"][0]["text"] == app.config["MESSAGES"]["rate_limited"].format(seconds=15)
    assert len(rasa_calls) == 3  # the refused message never reached Rasa
    assert say(app, "sender-bbbb2").status_code == 200  # someone else is not held up
    clock.now += 15
    assert say(app, "sender-aaaa1").status_code == 200  # the next minute


def test_one_address_with_many_senders_is_limited(db_url: str, rasa_calls: list) -> None:
    clock = Clock()
    app = limited_app(clock, chat_limit_per_sender=100, chat_limit_per_ip=4)
    direct = [say(app, f"sender-{i:05d}", peer="203.0.113.7").status_code for i in range(5)]
    assert direct == [200, 200, 200, 200, 429]
    assert say(app, "sender-other", peer="203.0.113.8").status_code == 200
    # A spoofed X-Forwarded-For from a peer that is not a proxy does not buy a fresh address.
    assert say(app, "sender-x0001", peer="203.0.113.7", forwarded="198.51.100.1").status_code == 429
    # Behind the trusted proxy (loopback), each client's own address counts.
    via_nginx = [say(app, f"sender-{i:05d}", forwarded="198.51.100.1").status_code for i in range(5)]
    assert via_nginx == [200, 200, 200, 200, 429]
    assert say(app, "sender-y0001", forwarded="evil, 198.51.100.2").status_code == 200
    assert len(rasa_calls) == 10


def test_garbage_counts_against_the_address(db_url: str, rasa_calls: list) -> None:
    clock = Clock()
    app = limited_app(clock, chat_limit_per_ip=2)
    client = app.test_client()
    assert [client.post("/api/chat", data="junk").status_code for _ in range(3)] == [415, 415, 429]
    assert rasa_calls == []


def test_limits_are_configurable_and_can_be_off(db_url: str, rasa_calls: list) -> None:
    app = limited_app(Clock(), chat_limit_per_sender=0, chat_limit_per_ip=0)
    assert all(say(app, "sender-aaaa1").status_code == 200 for _ in range(50))
    defaults = Settings()
    assert (defaults.chat_limit_per_sender, defaults.chat_limit_per_ip) == (20, 240)
    assert (defaults.wechat_limit_per_openid, defaults.rate_limit_window_seconds) == (20, 60)
