"""The web app (port 8000): the citizens' chat page and its API at /, the staff console at /console."""

from __future__ import annotations

from typing import Any

from flask import Flask

from bot.mediation.statuses import Statuses
from bot.settings import Settings, get_settings
from bot.yamlfile import read_yaml


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Application factory (flaskr style): settings decide the database, Rasa URL and secret."""
    settings = settings or get_settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # Sessions signed with a previous key stay valid after a rotation (Flask 3.1+); new ones use the new key.
        SECRET_KEY_FALLBACKS=list(settings.previous_secret_keys),
        SETTINGS=settings,
        MESSAGES=read_yaml(settings.knowledge_dir / "messages.yml"),
        STATUSES=Statuses.load(settings.knowledge_dir),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=64 * 1024,
        JSON_AS_ASCII=False,
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    from bot.mediation.disputes import DisputeTypes
    from bot.web import chat, limits
    from bot.web.console import auth, display, knowledge, questions, referrals

    limits.install(app, settings)
    display.install(app, DisputeTypes.load(settings.knowledge_dir).names, app.config["MESSAGES"])

    for blueprint in (chat.bp, auth.bp, referrals.bp, questions.bp, knowledge.bp):
        app.register_blueprint(blueprint)

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
        )
        return response

    return app
