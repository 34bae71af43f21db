"""The chat page and /api/chat, which checks input and forwards it to Rasa's REST channel."""

from __future__ import annotations

import re
from typing import Any

import requests
from flask import Blueprint, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from bot.ratelimit import Limit, Verdict
from bot.textinput import clean_text, is_blank
from bot.web.limits import address_key, limiter, request_ip
from bot.web.reply_cache import ReplyCache

bp = Blueprint("chat", __name__)
SENDER = re.compile(r"^[A-Za-z0-9_-]{8,64}$")  # also the shape of a message id


def _message(key: str, **values: Any) -> str:
    return str(current_app.config["MESSAGES"][key]).format(**values)


def _error(status: int, key: str, **values: Any) -> Any:
    return jsonify({"error": key, "messages": [{"text": _message(key, **values)}]}), status


@bp.get("/")
def index() -> str:
    return render_template("chat.html")


@bp.get("/health")
def health() -> Any:
    return jsonify({"status": "ok"})


@bp.app_errorhandler(HTTPException)
def api_errors(exc: HTTPException) -> Any:
    """Under /api/ every refusal (too large, wrong method, …) has the JSON shape the page shows; elsewhere as is."""
    if not request.path.startswith("/api/"):
        return exc
    status = exc.code or 400
    if status == 413:
        return _error(413, "too_long", limit=current_app.config["SETTINGS"].max_message_chars)
    return _error(status, "bot_unavailable" if status >= 500 else "bad_request")


def _limited(verdict: Verdict) -> Any:
    reply, status = _error(429, "rate_limited", seconds=verdict.retry_after)
    reply.headers["Retry-After"] = str(verdict.retry_after)
    return reply, status


class _Refused(Exception):
    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status, self.key = status, key


def _json_body() -> Any:
    """The parsed JSON body, or None when it is not JSON (or nested too deep for Python's parser)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:  # "[[[[…" within 64 KB; Flask's silent only covers ValueError
        return None


def _read(body: Any) -> tuple[str, str, str]:
    """(sender, cleaned text, message id) from the request body; _Refused when it is not that shape."""
    if not isinstance(body, dict):
        raise _Refused(400, "bad_request")
    sender, message, message_id = body.get("sender"), body.get("message"), body.get("id")
    if not isinstance(message, (str, type(None))) or not isinstance(message_id, (str, type(None))):
        raise _Refused(400, "bad_request")
    if (
        not isinstance(sender, str)
        or not SENDER.fullmatch(sender)
        or (message_id and not SENDER.fullmatch(message_id))
    ):
        raise _Refused(400, "bad_sender")
    return sender, clean_text(message or ""), message_id or ""


@bp.post("/api/chat")
def send() -> Any:
    """Body {sender, message, id?} (other keys are ignored); returns {messages: [...]} as Rasa's REST channel
    answers, or {error, messages: [{text}]} with a 4xx/5xx status (error is a key of knowledge/messages.yml).

    ``id`` (random per message, kept across the page's retries) makes a re-sent message reach Rasa once.
    """
    settings = current_app.config["SETTINGS"]
    window = settings.rate_limit_window_seconds
    verdict = limiter().hit("chat-ip", address_key(request_ip()), Limit(settings.chat_limit_per_ip, window))
    if not verdict.allowed:
        return _limited(verdict)
    if not request.is_json:
        return _error(415, "bad_request")
    try:
        sender, text, message_id = _read(_json_body())
    except _Refused as refused:
        return _error(refused.status, refused.key)
    if is_blank(text):
        return _error(400, "empty_message")
    if len(text) > settings.max_message_chars:
        return _error(413, "too_long", limit=settings.max_message_chars)
    verdict = limiter().hit("chat-sender", sender, Limit(settings.chat_limit_per_sender, window))
    if not verdict.allowed:
        return _limited(verdict)

    def forward() -> list:
        reply = requests.post(
            f"{settings.rasa_base_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": {"channel": "web"}},
            timeout=settings.chat_timeout_seconds,
        )
        reply.raise_for_status()
        messages = reply.json()
        return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []

    try:
        if message_id:
            cache: ReplyCache = current_app.extensions.setdefault("qybot_replies", ReplyCache())
            messages = cache.once((sender, message_id), forward, wait=settings.chat_timeout_seconds)
        else:
            messages = forward()
    except (requests.Timeout, TimeoutError):
        return _error(504, "bot_timeout")
    except (requests.RequestException, ValueError):
        return _error(502, "bot_unavailable")
    return jsonify({"messages": messages})
