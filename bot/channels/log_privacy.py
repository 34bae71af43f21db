"""Rasa's logs never carry what citizens typed: its structured log fields holding user text, slots or events are
replaced by their length, and tracebacks are printed without the local variables (which hold the message too).

Rasa 3.6 logs a failed REST message with its text and a traceback with every frame's locals (seen with Redis down
in tests/ops/test_scale_out.py); its own anonymizer only runs with a Rasa Pro plugin."""

from __future__ import annotations

from typing import Any

REDACTED_KEYS = frozenset(
    {
        "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
        "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
        "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
        "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
        "json_message", "metadata", "sender_id", "events", "slots", "value",
    }
)  # fmt: skip


def redact(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: each field that may hold what a citizen typed becomes ``<n chars>``."""
    for key in REDACTED_KEYS & event_dict.keys():
        value = event_dict[key]
        size = len(value) if isinstance(value, (str, list, dict, tuple)) else 1
        event_dict[key] = f"<redacted, {size} long>"
    return event_dict


def private_processors(processors: list[Any]) -> list[Any]:
    """Rasa's processor chain with its (inactive) anonymizer replaced by ``redact`` and tracebacks without locals."""
    import structlog
    from rasa.utils import log_utils

    chain: list[Any] = []
    for processor in processors:
        if processor is log_utils._anonymizer:
            chain.append(redact)
        elif processor is structlog.processors.dict_tracebacks:
            transformer = structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            chain.append(structlog.processors.ExceptionRenderer(transformer))
        elif isinstance(processor, structlog.dev.ConsoleRenderer):
            chain.append(log_utils.HumanConsoleRenderer(exception_formatter=structlog.dev.plain_traceback))
        else:
            chain.append(processor)
    if redact not in chain:
        chain.insert(0, redact)
    return chain


def install() -> None:
    """Make ``rasa …`` configure its logging privately (call before rasa's main)."""
    import rasa.__main__ as rasa_main
    import structlog

    original = rasa_main.configure_structlog
    if getattr(original, "private", False):
        return

    def configure_structlog(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        structlog.configure(processors=private_processors(structlog.get_config()["processors"]))

    configure_structlog.private = True  # type: ignore[attr-defined]
    rasa_main.configure_structlog = configure_structlog
