"""The action server process: builds the slow services first, then runs rasa-sdk's endpoint (same arguments)."""

from __future__ import annotations

from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser

from bot import services


def main(argv: list[str] | None = None) -> None:
    args = create_argument_parser().parse_args(argv)
    services.warm_up()  # before the port opens: /health answers only once the first question can be answered
    main_from_args(args)


if __name__ == "__main__":
    main()
