"""Console sign-in: login and logout, the role check every console page uses, and the shared template helpers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from bot.db.session import session_scope
from bot.staff import authenticate
from bot.web.console.csrf import check_csrf, csrf_token

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


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        with session_scope(db_url()) as db:
            user = authenticate(db, request.form.get("username", ""), request.form.get("password", ""))
            if user is not None:
                session.clear()
                session.update(user_id=user.id, role=user.role, org_id=user.org_id, username=user.username)
                return redirect(url_for("console.home"))
        error = current_app.config["MESSAGES"]["login_failed"]
    return render_template("console/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout() -> Any:
    session.clear()
    return redirect(url_for("console.login"))


@bp.get("")
@login_required()
def home() -> Any:
    return redirect(url_for(HOME.get(str(session.get("role")), "console_referrals.index")))
