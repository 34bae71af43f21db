"""A web app bound to the test database, Rasa faked for /api/chat, and login helpers (flaskr style) that carry the
CSRF token."""

import re
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from bot.db.session import session_scope
from bot.settings import Settings, get_settings
from bot.staff import create_user
from bot.web import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def app(directory_db: str) -> Flask:
    return create_app(get_settings(), {"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def make_app(**settings: Any) -> Flask:
    """A web app whose settings (from the environment) are changed by ``settings``, e.g. chat_limit_per_ip=3."""
    base: Settings = get_settings()
    return create_app(base.copy(update=settings), {"TESTING": True})


class FakeResponse:
    def __init__(self, payload: Any, status: int = 200):
        self.payload, self.status_code = payload, status

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise requests.HTTPError(str(self.status_code))

    def json(self) -> Any:
        return self.payload


@pytest.fixture
def rasa_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    calls: list[dict] = []

    def fake_post(url: str, json: dict, timeout: float) -> FakeResponse:
        calls.append({"url": url, "json": json, "timeout": timeout})
        return FakeResponse([{"recipient_id": json["sender"], "text": "您好"}])

    monkeypatch.setattr("bot.web.chat.requests.post", fake_post)
    return calls


@pytest.fixture
def users(directory_db: str) -> dict[str, str]:
    with session_scope(directory_db) as s:
        create_user(s, "mediator_a", PASSWORD, "mediator", "V441802006001")
        create_user(s, "mediator_b", PASSWORD, "mediator", "T441881112")
        create_user(s, "educator", PASSWORD, "educator")
        create_user(s, "admin", PASSWORD, "admin")
    return {"password": PASSWORD}


def csrf(client: FlaskClient, path: str = "/console/login") -> str:
    """The CSRF token from the hidden field of the page at ``path``."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD):
    data = {"username": username, "password": password, "csrf_token": csrf(client)}
    return client.post("/console/login", data=data)
