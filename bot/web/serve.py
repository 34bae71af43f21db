"""Serves the web app with waitress (a production WSGI server): ``python -m bot.web.serve``."""

from __future__ import annotations

from waitress import serve

from bot.settings import get_settings
from bot.web import create_app


def main() -> None:
    settings = get_settings()
    serve(create_app(settings), host=settings.host, port=settings.web_port, threads=8, ident="qybot")


if __name__ == "__main__":
    main()
