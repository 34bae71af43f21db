"""The action server builds its services before it opens its port, follows published knowledge, pins each
action call to one knowledge version, and listens only where and to whom it is told."""

import asyncio
import os
from pathlib import Path

import pytest
from rasa_sdk.executor import ActionExecutor

from bot import services
from bot.ops import action_server
from bot.settings import get_settings


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch):
    def use(**env: str):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        return get_settings()

    yield use
    get_settings.cache_clear()


def _run_main(monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> None:
    monkeypatch.setenv("SANIC_HOST", os.environ.get("SANIC_HOST", ""))  # main sets it; restored afterwards
    monkeypatch.setattr(action_server, "start_serving", lambda settings: calls.append("serve"))
    monkeypatch.setattr(action_server.rasa_sdk.endpoint, "ActionExecutor", ActionExecutor)
    monkeypatch.setattr(
        action_server.rasa_sdk.endpoint, "create_app", action_server.rasa_sdk.endpoint.create_app
    )
    monkeypatch.setattr(action_server, "main_from_args", lambda args: calls.append(f"run:{args.port}"))
    action_server.main(["--actions", "actions", "-p", "5999"])


def test_services_are_built_before_the_endpoint_runs(monkeypatch: pytest.MonkeyPatch, fresh_settings) -> None:
    fresh_settings(KNOWLEDGE_SOURCE="published")
    calls: list[str] = []
    _run_main(monkeypatch, calls)
    assert calls == ["serve", "run:5999"]
    assert action_server.rasa_sdk.endpoint.ActionExecutor is action_server.PinnedExecutor


def test_every_worker_follows_published_knowledge(monkeypatch: pytest.MonkeyPatch, fresh_settings) -> None:
    settings = fresh_settings(KNOWLEDGE_SOURCE="published")
    _run_main(monkeypatch, [])
    assert action_server.rasa_sdk.endpoint.create_app.__name__ == "create"  # wrapped by `guarded`

    class App:
        def __init__(self) -> None:
            self.listeners: list[tuple[object, str]] = []

        def register_listener(self, listener: object, event: str) -> None:
            self.listeners.append((listener, event))

    app = action_server.guarded(lambda *args, **kwargs: App(), settings)("actions")
    ((listener, event),) = app.listeners
    assert event == "after_server_start"  # in each worker, after Sanic has forked it
    started: list[str] = []
    monkeypatch.setattr(action_server.KnowledgeFollower, "start", lambda self: started.append("follow"))
    monkeypatch.setattr(services, "_live", services.KnowledgeServices(Path("live")))
    asyncio.run(listener(app, None))  # type: ignore[operator]
    assert started == ["follow"]


def test_a_test_server_serves_the_folder_and_follows_nothing(
    monkeypatch: pytest.MonkeyPatch, fresh_settings
) -> None:
    settings = fresh_settings(KNOWLEDGE_SOURCE="folder", ACTION_SECRET="")
    calls: list[str] = []
    _run_main(monkeypatch, calls)
    assert calls == ["serve", "run:5999"]
    listeners: list[str] = []

    class App:
        def register_listener(self, listener: object, event: str) -> None:
            listeners.append(event)

        def on_request(self, handler: object) -> None:
            listeners.append("secret")

    action_server.guarded(lambda *args, **kwargs: App(), settings)("actions")
    assert listeners == []


def test_it_listens_on_the_configured_host(monkeypatch: pytest.MonkeyPatch, fresh_settings) -> None:
    fresh_settings(KNOWLEDGE_SOURCE="folder", BIND_HOST="127.0.0.1")
    monkeypatch.setenv("SANIC_HOST", "0.0.0.0")  # rasa-sdk's default, which must not win
    _run_main(monkeypatch, [])
    assert os.environ["SANIC_HOST"] == "127.0.0.1"


def test_warm_up_builds_what_a_first_question_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    for name in ("retriever", "scope_rules", "emergency_rules", "question_parts", "intake", "yes_no"):
        monkeypatch.setattr(services.KnowledgeServices, name, property(lambda self, n=name: built.append(n)))
    services.KnowledgeServices(Path("unused")).warm_up()
    assert "retriever" in built and "intake" in built


def test_a_request_keeps_its_version_when_another_goes_live(monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = services.KnowledgeServices(Path("old")), services.KnowledgeServices(Path("new"))
    monkeypatch.setattr(services, "_live", old)
    seen: list[str] = []

    async def request() -> None:
        with services.pinned():
            seen.append(services.knowledge().folder.name)
            await asyncio.sleep(0.02)  # the swap happens here
            seen.append(services.knowledge().folder.name)

    async def publish_then_request() -> None:
        await asyncio.sleep(0.01)
        services.go_live(new)
        with services.pinned():
            seen.append("later:" + services.knowledge().folder.name)

    async def both() -> None:
        await asyncio.gather(request(), publish_then_request())

    asyncio.run(both())
    assert seen == ["old", "later:new", "old"]


def test_the_pinned_executor_pins_for_the_whole_action(monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = services.KnowledgeServices(Path("old")), services.KnowledgeServices(Path("new"))
    monkeypatch.setattr(services, "_live", old)
    seen: list[str] = []

    async def parent_run(self, action_call):  # stands for rasa-sdk running an action that swaps mid-way
        seen.append(services.knowledge().folder.name)
        services.go_live(new)
        await asyncio.sleep(0)
        seen.append(services.knowledge().folder.name)
        return {}

    monkeypatch.setattr(ActionExecutor, "run", parent_run)
    asyncio.run(action_server.PinnedExecutor().run({}))
    assert seen == ["old", "old"]
    assert services.knowledge() is new
