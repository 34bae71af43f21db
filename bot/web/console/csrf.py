"""CSRF protection for the console's forms: a per-session token in a hidden field, checked on every POST."""

from __future__ import annotations

import hmac
import secrets

from flask import current_app, request, session
from flask.typing import ResponseReturnValue

FIELD = "csrf_token"


def csrf_token() -> str:
    """This session's token (made on first use); templates put it in a hidden ``csrf_token`` field."""
    token = session.get(FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[FIELD] = token
    return token


def check_csrf() -> ResponseReturnValue | None:
    """A blueprint's before_request: a POST without this session's token is refused with 400."""
    if request.method != "POST":
        return None
    expected = session.get(FIELD)
    given = request.form.get(FIELD, "")
    if isinstance(expected, str) and expected and hmac.compare_digest(expected.encode(), given.encode()):
        return None
    return str(current_app.config["MESSAGES"]["console_csrf_failed"]), 400
