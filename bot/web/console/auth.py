"""Console sign-in: login and logout, the role check every console page uses, and the shared template helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from bot.db.session import session_scope
from bot.ratelimit import Limit
from bot.staff import authenticate
from bot.web.console.csrf import check_csrf, csrf_token
from bot.web.limits import address_key, limiter, request_ip

logger = logging.getLogger(__name__)
bp = Blueprint("console", __name__, url_prefix="/console")
bp.before_request(check_csrf)
HOME = {"educator": "console_questions.index"}  # everyone else starts at the referrals


@bp.app_context_processor
def template_helpers() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "status_labels": current_app.config["STATUSES"].labels}


def db_url() -> str:
    return str(current_app.config["SETTINGS"].db_url)


def login_required(*roles: str) -> Callable:
    """A view for signed-in staff only; with ``roles``, only for those roles (others get 403)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if "user_id" not in session:
                return redirect(url_for("console.login", next=request.path))
            if roles and session.get("role") not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def _login_limits() -> tuple[Limit, Limit]:
    """(failures per account, failures per address) within LOGIN_LOCK_SECONDS."""
    s = current_app.config["SETTINGS"]
    return Limit(s.login_max_failures, s.login_lock_seconds), Limit(
        s.login_max_failures_per_ip, s.login_lock_seconds
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign-in; after too many failures for the account or from the address, even the right password waits."""
    if request.method == "GET":
        return render_template("console/login.html", error=None)
    username, password = request.form.get("username", ""), request.form.get("password", "")
    account = username.strip().casefold()
    address = address_key(request_ip())
    per_account, per_address = _login_limits()
    for verdict in (
        limiter().reached("login-account", account, per_account),
        limiter().reached("login-address", address, per_address),
    ):
        if not verdict.allowed:
            minutes = max(1, -(-verdict.retry_after // 60))
            error = current_app.config["MESSAGES"]["login_locked"].format(minutes=minutes)
            page = render_template("console/login.html", error=error)
            return page, 429, {"Retry-After": str(verdict.retry_after)}
    with session_scope(db_url()) as db:
        user = authenticate(db, username, password)
        if user is not None:
            limiter().clear("login-account", account, per_account)
            session.clear()
            session.update(user_id=user.id, role=user.role, org_id=user.org_id, username=user.username)
            return redirect(url_for("console.home"))
    limiter().hit("login-account", account, per_account)
    limiter().hit("login-address", address, per_address)
    logger.warning(
        "console: failed sign-in"
    )  # neither the name nor the address: see the web server's access log
    return render_template("console/login.html", error=current_app.config["MESSAGES"]["login_failed"]), 401


@bp.post("/logout")
def logout() -> Any:
    session.clear()
    return redirect(url_for("console.login"))


@bp.get("")
@login_required()
def home() -> Any:
    return redirect(url_for(HOME.get(str(session.get("role")), "console_referrals.index")))
