"""The console's publish page: educators and admins publish knowledge/ and see why a refused folder was refused;
mediators cannot reach it; a POST without the form's token is refused."""

import subprocess
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from bot.web.console import knowledge
from tests.web.conftest import csrf, login


def _fake_publish(monkeypatch: pytest.MonkeyPatch, returncode: int, stdout: str) -> list[list[str]]:
    calls: list[list[str]] = []

    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        calls.append(command)
        return subprocess.CompletedProcess(command, returncode, stdout, "")

    monkeypatch.setattr(knowledge.subprocess, "run", run)
    return calls


@pytest.fixture
def releases_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty releases folder, so the page does not show the developer's own publishes."""
    from bot.settings import Settings

    monkeypatch.setattr(Settings, "releases_dir", property(lambda self: tmp_path / "releases"))
    return tmp_path / "releases"


def test_a_mediator_cannot_publish(client: FlaskClient, users: dict, releases_dir: Path) -> None:
    login(client, "mediator_a")
    assert client.get("/console/knowledge").status_code == 403


def test_an_educator_publishes(
    client: FlaskClient, users: dict, releases_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, "educator")
    page = client.get("/console/knowledge").get_data(as_text=True)
    assert "还没有发布过" in page
    calls = _fake_publish(monkeypatch, 0, "published 0123456789abcdef in 3.0 s\n")
    reply = client.post("/console/knowledge/publish", data={"csrf_token": csrf(client, "/console/knowledge")})
    assert reply.status_code == 200 and "已发布" in reply.get_data(as_text=True)
    assert calls and calls[0][-3:] == ["bot", "knowledge", "publish"]


def test_a_refused_publish_lists_file_line_and_reason(
    client: FlaskClient, users: dict, releases_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, "admin")
    problem = "qa/labor.yml:3: labor.001: citation 劳动合同法 第九千条 does not exist"
    _fake_publish(
        monkeypatch, 1, f"{problem}\nnot published: the running assistant keeps the knowledge it has\n"
    )
    reply = client.post("/console/knowledge/publish", data={"csrf_token": csrf(client, "/console/knowledge")})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422 and "没有发布" in page and problem in page


def test_publishing_needs_the_form_token(
    client: FlaskClient, users: dict, releases_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, "educator")
    calls = _fake_publish(monkeypatch, 0, "")
    assert client.post("/console/knowledge/publish", data={}).status_code == 400
    assert calls == []


def test_the_page_lists_entries_to_review_against_the_current_law(
    client: FlaskClient, users: dict, releases_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An entry reviewed against the 2012 治安管理处罚法 and one never reviewed are listed; the others are not."""
    import shutil

    from bot.settings import Settings
    from tests.paths import KNOWLEDGE

    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    path = folder / "qa" / "neighbor.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("治安管理处罚法: 2025-06-27", "治安管理处罚法: 2012-10-26", 1)
    path.write_text(text, encoding="utf-8")
    inheritance = folder / "qa" / "inheritance.yml"
    lines = inheritance.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith("reviewed:"))
    inheritance.write_text("".join(lines[:first] + lines[first + 1 :]), encoding="utf-8")
    monkeypatch.setattr(Settings, "knowledge_dir", property(lambda self: folder))
    login(client, "educator")
    page = client.get("/console/knowledge").get_data(as_text=True)
    assert "待复核的条目" in page
    assert "《治安管理处罚法》复核时为 2012-10-26 版，现为 2025-06-27 版" in page
    assert "从未复核" in page
    assert page.count("<tr>") == 1 + 2  # the header row and the two stale entries
