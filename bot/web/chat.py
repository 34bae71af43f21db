"""The chat page and /api/chat, which checks input and forwards it to Rasa's REST channel."""

from __future__ import annotations

import re
from typing import Any

import requests
from flask import Blueprint, current_app, jsonify, render_template, request

bp = Blueprint("chat", __name__)
SENDER = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


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


@bp.post("/api/chat")
def send() -> Any:
    """Body {sender, message}; returns {messages: [...]} exactly as Rasa's REST channel answers."""
    settings = current_app.config["SETTINGS"]
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "empty_message")
    sender = str(body.get("sender") or "")
    text = str(body.get("message") or "").strip()
    if not SENDER.match(sender):
        return _error(400, "bad_sender")
    if not text:
        return _error(400, "empty_message")
    if len(text) > settings.max_message_chars:
        return _error(413, "too_long", limit=settings.max_message_chars)
    try:
        reply = requests.post(
            f"{settings.rasa_base_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": {"channel": "web"}},
            timeout=settings.chat_timeout_seconds,
        )
        reply.raise_for_status()
        messages = reply.json()
    except requests.Timeout:
        return _error(504, "bot_timeout")
    except (requests.RequestException, ValueError):
        return _error(502, "bot_unavailable")
    return jsonify({"messages": messages if isinstance(messages, list) else []})
