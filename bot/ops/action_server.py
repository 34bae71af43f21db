"""The action server process: listens only on the configured host, answers only callers that know the shared secret,
serves published knowledge (built before the port opens), follows new releases in every worker, and pins each
action call to one knowledge version; then runs rasa-sdk's endpoint with the same arguments."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hmac
import os
from collections.abc import Callable
from typing import Any

import rasa_sdk.endpoint
from rasa_sdk.__main__ import main_from_args
from rasa_sdk.endpoint import create_argument_parser
from rasa_sdk.executor import ActionExecutor
from sanic import response

from bot import services
from bot.ops.publishing import KnowledgeFollower, start_serving
from bot.settings import Settings, get_settings

SECRET_HEADER = "X-Action-Secret"
OPEN_PATHS = {"/health"}  # a load balancer's health check needs no secret and reveals nothing


class PinnedExecutor(ActionExecutor):
    """rasa-sdk's executor, with the knowledge version pinned for the whole action call (old or new, never a mix)."""

    async def run(self, action_call: Any) -> dict[str, Any] | None:
        with services.pinned():
            return await super().run(action_call)


def guarded(create_app: Callable[..., Any], settings: Settings) -> Callable[..., Any]:
    """rasa-sdk's app factory, plus: every request but /health must carry the shared secret (when one is set), and
    under KNOWLEDGE_SOURCE=published a follower of published knowledge runs in each worker once it serves (Sanic
    forks its workers, and a thread started before the fork would not run in them)."""

    def create(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        if settings.action_secret:
            expected = settings.action_secret.encode()

            @app.on_request
            async def require_secret(request: Any) -> Any:
                if request.path in OPEN_PATHS or request.method == "OPTIONS":
                    return None
                given = (request.headers.get(SECRET_HEADER) or "").encode()
                if not hmac.compare_digest(given, expected):
                    return response.json({"error": "forbidden"}, status=403)
                return None

        if settings.knowledge_source == "published":

            async def follow(_app: Any, _loop: Any) -> None:
                KnowledgeFollower(settings, services.knowledge()).start()

            app.register_listener(follow, "after_server_start")
        return app

    return create


def release_free_memory() -> None:
    """Give the heap freed while loading back to the system (glibc keeps it otherwise: about 12 MiB here)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to give back this way
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def main(argv: list[str] | None = None) -> None:
    args = create_argument_parser().parse_args(argv)
    settings = get_settings()
    os.environ["SANIC_HOST"] = settings.host  # rasa-sdk otherwise listens on every interface (0.0.0.0)
    start_serving(settings)  # before the port opens: /health answers once a question can be answered
    release_free_memory()
    rasa_sdk.endpoint.create_app = guarded(rasa_sdk.endpoint.create_app, settings)
    rasa_sdk.endpoint.ActionExecutor = PinnedExecutor  # create_app builds one executor per app
    main_from_args(args)


if __name__ == "__main__":
    main()
