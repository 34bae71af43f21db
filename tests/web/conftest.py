"""A web app bound to the test database, and login helpers (flaskr style) that carry the CSRF token."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.db.session import session_scope
from bot.settings import get_settings
from bot.staff import create_user
from bot.web import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def app(directory_db: str) -> Flask:
    return create_app(get_settings(), {"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


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
