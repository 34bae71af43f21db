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


def _replies() -> list[object]:
    """Replies the action server sends (every rasa-sdk event), and broken ones of every kind."""
    from rasa_sdk import events as sdk

    every_event = [
        sdk.SlotSet("audience", "elderly"),
        sdk.AllSlotsReset(),
        sdk.ActiveLoop("mediation_form"),
        sdk.ActiveLoop(None),
        sdk.FollowupAction("action_listen"),
        sdk.ActionExecuted("utter_greet"),
        sdk.UserUttered("你好", {"name": "greet", "confidence": 1.0}),
        sdk.BotUttered("好的", {"buttons": []}),
        sdk.Restarted(),
        sdk.SessionStarted(),
        sdk.UserUtteranceReverted(),
        sdk.ActionReverted(),
        sdk.ConversationPaused(),
        sdk.ConversationResumed(),
        {"event": "loop_interrupted", "is_interrupted": True},
        {"event": "form_validation", "validate": False},
        {"event": "entities", "entities": [{"entity": "place", "value": "英德"}]},
    ]
    valid = [{"events": [event], "responses": [{"text": "好"}]} for event in every_event]
    valid += [{"events": every_event, "responses": []}, {}, {"responses": [{"text": "好"}]}]
    broken = [
        {"events": "not a list"},
        {"events": [{"name": "audience"}]},  # no event name
        {"events": [{"event": "no_such_event"}]},
        {"events": [{"event": "slot", "name": 5}]},  # a slot's name must be a string
        {"events": [{"event": "slot", "name": "a", "timestamp": "today"}]},
        {"events": [{"event": "followup"}]},  # followup needs the action's name
        {"events": ["slot"]},
        {"responses": ["text"]},
        {"responses": {"text": "好"}},
        [],
    ]
    return [*valid, *broken]


@pytest.mark.parametrize("reply", _replies())
def test_the_quick_check_decides_as_rasas_own(reply: object) -> None:
    rasa = RemoteAction("action_x", None)
    try:
        expected = rasa._validate_action_result(reply)  # type: ignore[arg-type]
    except ValidationError:
        expected = False
    try:
        mine = action_results.validate_action_result(None, reply)  # type: ignore[arg-type]
    except ValidationError:
        mine = False
    assert mine == expected
    assert action_results._plainly_valid(reply) == expected  # valid replies never need the full check
