"""The action server builds its services before it opens its port, so the first question does not time out."""

import pytest

from bot.ops import action_server


def test_services_are_built_before_the_endpoint_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(action_server.services, "warm_up", lambda: calls.append("warm_up"))
    monkeypatch.setattr(action_server, "main_from_args", lambda args: calls.append(f"run:{args.port}"))
    action_server.main(["--actions", "actions", "-p", "5999"])
    assert calls == ["warm_up", "run:5999"]


def test_warm_up_builds_the_retriever(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    for name in ("retriever", "scope_rules", "emergency_rules", "intake"):
        monkeypatch.setattr(action_server.services, name, lambda name=name: built.append(name))
    action_server.services.warm_up()
    assert "retriever" in built
