"""Rasa's REST channel takes only what the web app would send: a JSON object with a sender id and a message of
text. Anything else gets a defined 4xx answer in Chinese ({error, messages: [{text}]}, the keys of
knowledge/messages.yml, as /api/chat answers) instead of a 500 or an empty reply, and the text Rasa sees is cleaned
of control and direction characters. Behind nginx this port is private; under `bot run` it is on BIND_HOST."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from bot.settings import get_settings
from bot.textinput import clean_text, is_blank
from bot.yamlfile import read_yaml

PATH = "/webhooks/rest/webhook"
SENDER = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")  # web ids, test ids, WeChat-style ids
MAX_BODY = 64 * 1024


@lru_cache(maxsize=1)
def _messages() -> dict[str, str]:
    return dict(read_yaml(get_settings().knowledge_dir / "messages.yml"))


def refusal(body: bytes, max_chars: int) -> tuple[int, str, dict[str, Any] | None]:
    """(status, error key, cleaned body): status 0 means the body is fine and the cleaned body replaces it."""
    if len(body) > MAX_BODY:
        return 413, "too_long", None
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return 400, "bad_request", None
    if not isinstance(data, dict):
        return 400, "bad_request", None
    sender, message = data.get("sender"), data.get("message")
    if not isinstance(sender, str) or not SENDER.fullmatch(sender):
        return 400, "bad_sender", None
    if not isinstance(message, str):
        return 400, "bad_request", None
    text = clean_text(message)
    if is_blank(text):
        return 400, "empty_message", None
    if len(text) > max_chars:
        return 413, "too_long", None
    return 0, "", {**data, "message": text}


def install() -> None:
    """Check every REST message in the running Rasa server before its channel reads it."""
    import rasa.core.run as rasa_run
    from sanic import response

    original = rasa_run.configure_app
    if getattr(original, "guarded", False):
        return
    max_chars = get_settings().max_message_chars

    async def guard(request: Any) -> Any:
        if request.path != PATH or request.method != "POST":
            return None
        status, key, cleaned = refusal(request.body or b"", max_chars)
        if status:
            text = _messages()[key].format(limit=max_chars)
            return response.json({"error": key, "messages": [{"text": text}]}, status=status)
        request.body = json.dumps(cleaned, ensure_ascii=False).encode("utf-8")
        request.parsed_json = cleaned
        return None

    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)
        app.register_middleware(guard, "request")
        return app

    configure_app.guarded = True  # type: ignore[attr-defined]
    rasa_run.configure_app = configure_app
