"""When the action server cannot be reached (stopped, restarting, too slow), the citizen is told to try again
(utter_action_unavailable) instead of getting no reply; the conversation, and any form half filled, stay as they
were, so the same answer sent again continues where it stopped."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)
RESPONSE = "utter_action_unavailable"


class Guarded:
    """An action as the processor sees it, whose failure to reach the action server becomes a polite reply."""

    def __init__(self, action: Any):
        self._action = action

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        from rasa.core.actions.action import ActionExecutionRejection, create_bot_utterance

        try:
            return list(await self._action.run(output_channel, nlg, tracker, domain))
        except ActionExecutionRejection:
            raise  # the form's own "not this slot" signal, handled by Rasa
        except Exception as error:  # connection refused, timeout, 5xx: nothing of the action happened
            log.error(
                "action %s failed (%s); the citizen is asked to try again", self.name(), type(error).__name__
            )
            message = await nlg.generate(RESPONSE, tracker, output_channel.name())
            return [create_bot_utterance(message)] if message else []


def install() -> None:
    """Guard every action that calls the action server (custom actions and forms) in the running Rasa process."""
    from rasa.core.actions.action import RemoteAction
    from rasa.core.actions.loops import LoopAction
    from rasa.core.processor import MessageProcessor

    original = MessageProcessor._run_action
    if getattr(original, "guarded", False):
        return

    async def _run_action(self: Any, action: Any, *args: Any, **kwargs: Any) -> bool:
        if isinstance(action, (RemoteAction, LoopAction)):
            action = Guarded(action)
        return await original(self, action, *args, **kwargs)

    _run_action.guarded = True  # type: ignore[attr-defined]
    MessageProcessor._run_action = _run_action
