"""The action server's replies are checked against Rasa's schema as before, with a validator built once."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.channels import action_results


def test_a_valid_reply_passes_and_an_invalid_one_is_refused_as_rasa_refuses_it() -> None:
    valid = {
        "events": [{"event": "slot", "name": "audience", "value": "elderly"}],
        "responses": [{"text": "好"}],
    }
    assert action_results.validate_action_result(None, valid)
    assert RemoteAction(  # Rasa's own check agrees
        "action_x", None
    )._validate_action_result(valid)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action_results.validate_action_result(None, {"events": "not a list"})


def test_install_replaces_rasas_per_call_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    action_results.install()
    assert RemoteAction._validate_action_result is action_results.validate_action_result
