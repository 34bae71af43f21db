"""Starts the Rasa server after setting the action-call timeout (Rasa 3.6 hard-codes 300 s) with faster checks of
the action server's replies, faster event lookups and a faster model load."""

from __future__ import annotations

import sys

from bot.channels import action_results, event_types, fast_load
from bot.settings import get_settings


def set_action_timeout(seconds: float) -> None:
    """Rasa reads DEFAULT_REQUEST_TIMEOUT from module globals at call time; set it in each module that copied it."""
    import rasa.core.actions.action as action_module
    import rasa.core.constants as constants
    import rasa.utils.endpoints as endpoints

    for module in (constants, action_module, endpoints):
        module.DEFAULT_REQUEST_TIMEOUT = seconds


def main(argv: list[str] | None = None) -> None:
    """``python -m bot.channels.server run …`` = ``rasa run …`` with our timeout."""
    set_action_timeout(get_settings().action_timeout_seconds)
    action_results.install()
    event_types.install()
    fast_load.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(argv if argv is not None else sys.argv[1:])]
    rasa_main()


if __name__ == "__main__":
    main()
