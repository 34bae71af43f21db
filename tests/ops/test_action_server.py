"""The action server builds its services before it opens its port, follows published knowledge, and pins each
action call to one knowledge version."""

import asyncio
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


def test_services_are_built_before_the_endpoint_runs(monkeypatch: pytest.MonkeyPatch, fresh_settings) -> None:
    fresh_settings(KNOWLEDGE_SOURCE="published")
    calls: list[str] = []
    monkeypatch.setattr(action_server, "start_serving", lambda settings: calls.append("serve") or "version")
    monkeypatch.setattr(action_server.KnowledgeFollower, "start", lambda self: calls.append("follow"))
    monkeypatch.setattr(action_server.rasa_sdk.endpoint, "ActionExecutor", ActionExecutor)
    monkeypatch.setattr(action_server, "main_from_args", lambda args: calls.append(f"run:{args.port}"))
    action_server.main(["--actions", "actions", "-p", "5999"])
    assert calls == ["serve", "follow", "run:5999"]
    assert action_server.rasa_sdk.endpoint.ActionExecutor is action_server.PinnedExecutor


def test_a_test_server_serves_the_folder_and_follows_nothing(
    monkeypatch: pytest.MonkeyPatch, fresh_settings
) -> None:
    fresh_settings(KNOWLEDGE_SOURCE="folder")
    calls: list[str] = []
    monkeypatch.setattr(action_server, "start_serving", lambda settings: calls.append("serve"))
    monkeypatch.setattr(action_server.KnowledgeFollower, "start", lambda self: calls.append("follow"))
    monkeypatch.setattr(action_server.rasa_sdk.endpoint, "ActionExecutor", ActionExecutor)
    monkeypatch.setattr(action_server, "main_from_args", lambda args: None)
    action_server.main(["--actions", "actions"])
    assert calls == ["serve"]


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
