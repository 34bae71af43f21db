"""Checking the action server's replies against Rasa's schema: validators built once, each event checked only against
the one event schema its name selects."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import best_match


@lru_cache(maxsize=1)
def _validator() -> Any:
    """Rasa's own response schema, checked once against its metaschema (``jsonschema.validate`` does it per call)."""
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _event_validators() -> dict[str, Any]:
    """Per event name, a validator of Rasa's event schema with its ``oneOf`` narrowed to that name's alternative.

    Every alternative fixes ``event`` to a different constant, so an event can only ever satisfy the one its name
    selects: it is valid under ``oneOf`` exactly when it is valid under that alternative (and the common part).
    """
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    common = {key: value for key, value in EVENT_SCHEMA.items() if key != "oneOf"}
    found = {}
    for alternative in EVENT_SCHEMA["oneOf"]:
        schema = {"allOf": [common, alternative]}
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        found[alternative["properties"]["event"]["const"]] = cls(schema)
    return found


def _plainly_valid(result: Any) -> bool:
    """True when the reply is certainly valid; False sends it to the full check (which also words the error)."""
    if not isinstance(result, dict):
        return False
    events, responses = result.get("events", []), result.get("responses", [])
    if not isinstance(events, list) or not isinstance(responses, list):
        return False
    if not all(isinstance(response, dict) for response in responses):
        return False
    by_name = _event_validators()
    for event in events:
        validator = by_name.get(str(event.get("event"))) if isinstance(event, dict) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def validate_action_result(_action: Any, result: dict[str, Any]) -> bool:
    """Same outcome as Rasa's ``RemoteAction._validate_action_result``: True, or the most relevant error raised.

    Profiled under load (py-spy): checking each reply against Rasa's schema was more than half of the Rasa process's
    busy time when the schema was checked against its metaschema on every call, and still a tenth with the
    validator built once, because each event was tried against all 23 event schemas.
    """
    if _plainly_valid(result):
        return True
    error = best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += ". Failed to validate Action server response from API."
        raise error
    return True


def install() -> None:
    """Replace the per-call validation in the running Rasa process."""
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result
