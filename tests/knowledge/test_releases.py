"""Publishing knowledge: only a checked copy goes live, a broken folder is refused with file, line and reason, and
the live release is then unchanged."""

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.knowledge import releases
from bot.knowledge.check import check_knowledge
from bot.knowledge.releases import PublishRefused
from tests.paths import KNOWLEDGE


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """An editable copy of the project's knowledge folder."""
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    return folder


def _nothing(folder: Path) -> None:
    return None


def _edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` and return its line number."""
    text = path.read_text(encoding="utf-8")
    index = text.index(old)
    path.write_text(text[:index] + new + text[index + len(old) :], encoding="utf-8")
    return text[:index].count("\n") + 1


def test_the_project_knowledge_passes_the_check() -> None:
    assert check_knowledge(KNOWLEDGE) == []


def test_publishing_makes_a_checked_copy_live(knowledge: Path, tmp_path: Path) -> None:
    out = tmp_path / "releases"
    release = releases.publish(knowledge, out, _nothing)
    assert releases.current(out) == release
    labor = "qa/labor.yml"
    assert (release.folder / labor).read_bytes() == (knowledge / labor).read_bytes()
    _edit(knowledge / labor, "answer: ", "answer: 改过的")  # editing afterwards changes nothing live
    assert (release.folder / labor).read_bytes() != (knowledge / labor).read_bytes()
    assert releases.current(out) == release


def test_a_wrong_citation_is_refused_with_file_line_and_reason(knowledge: Path, tmp_path: Path) -> None:
    out = tmp_path / "releases"
    live = releases.publish(knowledge, out, _nothing)
    path = knowledge / "qa" / "labor.yml"
    text = path.read_text(encoding="utf-8")
    first = re.search(r"^  - id: (\S+)$", text, re.M)
    assert first is not None
    entry_line = text[: first.start()].count("\n") + 1
    cited = re.search(r"article: (第[^},]+条)", text)
    assert cited is not None and cited.start() > first.start()
    _edit(path, cited.group(0), "article: 第九千九百九十九条")
    with pytest.raises(PublishRefused) as refused:
        releases.publish(knowledge, out, _nothing)
    wanted = f"qa/labor.yml:{entry_line}: {first.group(1)}: citation"
    assert any(p.startswith(wanted) and "does not exist" in p for p in refused.value.problems), (
        refused.value.problems
    )
    assert releases.current(out) == live


def test_a_yaml_syntax_error_is_refused_with_its_line(knowledge: Path, tmp_path: Path) -> None:
    out = tmp_path / "releases"
    live = releases.publish(knowledge, out, _nothing)
    line = _edit(knowledge / "legal" / "next_steps.yml", "\n", "\n  : [unclosed\n")
    with pytest.raises(PublishRefused) as refused:
        releases.publish(knowledge, out, _nothing)
    (problem,) = refused.value.problems
    assert problem.startswith("legal/next_steps.yml:")
    assert int(problem.split(":")[1]) in (line + 1, line + 2)
    assert releases.current(out) == live


def test_a_malformed_entry_names_its_file(knowledge: Path, tmp_path: Path) -> None:
    _edit(knowledge / "qa" / "debt.yml", "law: ", "statute: ")
    problems = check_knowledge(knowledge)
    assert any(p.startswith("qa/debt.yml:") and "malformed" in p for p in problems), problems


def test_content_the_servers_cannot_load_is_refused(knowledge: Path, tmp_path: Path) -> None:
    out = tmp_path / "releases"
    live = releases.publish(knowledge, out, _nothing)
    _edit(knowledge / "qa" / "labor.yml", "answer: ", "answer: 改")

    def broken(folder: Path) -> None:
        raise ValueError("cannot build")

    with pytest.raises(PublishRefused, match="problem"):
        releases.publish(knowledge, out, broken)
    assert releases.current(out) == live


def test_the_pointer_names_the_release_and_old_releases_are_pruned(knowledge: Path, tmp_path: Path) -> None:
    out = tmp_path / "releases"
    for n in range(releases.KEEP + 2):
        _edit(knowledge / "qa" / "labor.yml", "answer: ", f"answer: 第{n}版")
        last = releases.publish(knowledge, out, _nothing)
    pointer = json.loads((out / releases.POINTER).read_text(encoding="utf-8"))
    assert pointer["digest"] == last.digest
    kept = [p for p in out.iterdir() if p.is_dir()]
    assert len(kept) == releases.KEEP and last.folder in kept


def test_nothing_published_means_no_release(tmp_path: Path) -> None:
    assert releases.current(tmp_path) is None
    (tmp_path / releases.POINTER).write_text("{broken", encoding="utf-8")
    assert releases.current(tmp_path) is None
