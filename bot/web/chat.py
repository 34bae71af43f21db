"""The chat page and /api/chat, which checks input and forwards it to Rasa's REST channel."""

from __future__ import annotations

import re
from typing import Any

import requests
from flask import Blueprint, current_app, jsonify, render_template, request

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


@bp.post("/api/chat")
def send() -> Any:
    """Body {sender, message, id?}; returns {messages: [...]} exactly as Rasa's REST channel answers.

    ``id`` (random per message, kept across the page's retries) makes a re-sent message reach Rasa once.
    """
    settings = current_app.config["SETTINGS"]
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "empty_message")
    sender = str(body.get("sender") or "")
    text = str(body.get("message") or "").strip()
    message_id = str(body.get("id") or "")
    if not SENDER.match(sender) or (message_id and not SENDER.match(message_id)):
        return _error(400, "bad_sender")
    if not text:
        return _error(400, "empty_message")
    if len(text) > settings.max_message_chars:
        return _error(413, "too_long", limit=settings.max_message_chars)

    def forward() -> list:
        reply = requests.post(
            f"{settings.rasa_base_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": {"channel": "web"}},
            timeout=settings.chat_timeout_seconds,
        )
        reply.raise_for_status()
        messages = reply.json()
        return messages if isinstance(messages, list) else []

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
