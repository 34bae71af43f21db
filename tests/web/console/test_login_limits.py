"""Console sign-in limits: failures lock the account, and an address trying many accounts, until the window ends;
while locked even the right password waits; a successful sign-in clears the account's failures."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.ratelimit import MemoryStore, RateLimiter
from bot.settings import Settings
from bot.web.limits import EXTENSION
from tests.web.conftest import PASSWORD, csrf, make_app


class Clock:
    def __init__(self) -> None:
        self.now = 9_000_000.0  # the start of a 15-minute window

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(users: dict, clock: Clock) -> Flask:
    app = make_app(login_max_failures=3, login_max_failures_per_ip=5, login_lock_seconds=900)
    app.extensions[EXTENSION] = RateLimiter(MemoryStore(clock=clock), clock=clock)
    return app


def sign_in(app: Flask, username: str, password: str, address: str = "127.0.0.1") -> tuple[int, str]:
    client: FlaskClient = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    data = {"username": username, "password": password, "csrf_token": csrf(client)}
    reply = client.post("/console/login", data=data)
    return reply.status_code, reply.get_data(as_text=True)


def test_failures_lock_the_account_even_for_the_right_password(app: Flask, clock: Clock) -> None:
    assert [sign_in(app, "mediator_a", "wrong-guess!")[0] for _ in range(3)] == [401, 401, 401]
    status, page = sign_in(app, "mediator_a", PASSWORD)
    assert status == 429
    assert app.config["MESSAGES"]["login_locked"].format(minutes=15) in page
    assert sign_in(app, "Mediator_A ", PASSWORD)[0] == 429  # the same account however it is typed
    assert sign_in(app, "mediator_b", PASSWORD)[0] == 302  # other accounts are not locked
    clock.now += 600
    assert "请 5 分钟后再试" in sign_in(app, "mediator_a", PASSWORD)[1]
    clock.now += 300
    assert sign_in(app, "mediator_a", PASSWORD)[0] == 302  # the window is over


def test_a_success_clears_the_accounts_failures(app: Flask) -> None:
    for _ in range(2):
        assert sign_in(app, "admin", "wrong-guess!")[0] == 401
    assert sign_in(app, "admin", PASSWORD)[0] == 302
    for _ in range(2):
        assert sign_in(app, "admin", "wrong-guess!")[0] == 401
    assert sign_in(app, "admin", PASSWORD)[0] == 302


def test_an_address_trying_many_accounts_is_locked_out(app: Flask) -> None:
    names = ["admin", "educator", "mediator_a", "nobody", "root"]
    assert [sign_in(app, name, "wrong-guess!", "203.0.113.7")[0] for name in names] == [401] * 5
    assert sign_in(app, "mediator_b", PASSWORD, "203.0.113.7")[0] == 429
    assert sign_in(app, "mediator_b", PASSWORD, "198.51.100.1")[0] == 302  # another office


def test_failures_are_logged_without_names_or_addresses(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.web"):
        sign_in(app, "mediator_a", "wrong-guess!", "203.0.113.7")
    assert "failed sign-in" in caplog.text
    assert "mediator_a" not in caplog.text and "203.0.113.7" not in caplog.text


def test_login_defaults() -> None:
    defaults = Settings()
    assert (defaults.login_max_failures, defaults.login_max_failures_per_ip) == (5, 20)
    assert defaults.login_lock_seconds == 900
