"""Starts the Rasa server after setting the action-call timeout (Rasa 3.6 hard-codes 300 s), with faster checks of
the action server's replies, faster event lookups, a faster model load, a polite reply when the action server is
down, a REST channel that refuses malformed input and logs that never carry what citizens typed; and with what
endpoints.yml reads from the environment filled in (tracker store URL, action-server secret)."""

from __future__ import annotations

import os
import sys

from bot.channels import action_failures, action_results, event_types, fast_load, log_privacy, rest_guard
from bot.settings import get_settings


def set_action_timeout(seconds: float) -> None:
    """Rasa reads DEFAULT_REQUEST_TIMEOUT from module globals at call time; set it in each module that copied it."""
    import rasa.core.actions.action as action_module
    import rasa.core.constants as constants
    import rasa.utils.endpoints as endpoints

    for module in (constants, action_module, endpoints):
        module.DEFAULT_REQUEST_TIMEOUT = seconds


def endpoint_environment() -> None:
    """endpoints.yml reads these; unset ones take the settings' defaults (Rasa refuses an undefined variable)."""
    settings = get_settings()
    os.environ.setdefault("TRACKER_STORE_URL", settings.tracker_url)
    os.environ.setdefault("ACTION_SECRET", settings.action_secret)
    if settings.tracker_url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(settings.tracker_url.removeprefix("sqlite:///")) or ".", exist_ok=True)


def main(argv: list[str] | None = None) -> None:
    """``python -m bot.channels.server run …`` = ``rasa run …`` with our timeout."""
    set_action_timeout(get_settings().action_timeout_seconds)
    endpoint_environment()
    action_results.install()
    action_failures.install()
    event_types.install()
    fast_load.install()
    log_privacy.install()
    rest_guard.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(argv if argv is not None else sys.argv[1:])]
    rasa_main()


if __name__ == "__main__":
    main()
