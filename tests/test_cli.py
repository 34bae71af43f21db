"""The command line: route decisions for staff and scripts, and console accounts."""

import json
import subprocess
import sys

import pytest

from bot.cli import main
from tests.paths import ROOT


def test_route_prints_the_decision(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--type", "medical", "--place", "英德市浛洸镇"]) == 0
    out = capsys.readouterr().out
    assert "英德市医疗纠纷人民调解委员会" in out and "industry_county" in out


def test_route_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--type", "neighbor", "--place", "清城区凤城街道高基里社区", "--json"]) == 0
    decision = json.loads(capsys.readouterr().out)
    assert decision["org"]["id"] == "V441802006001" and decision["rule"] == "village" and decision["reason"]


def test_ambiguous_place_is_refused_with_candidates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--type", "family", "--place", "田心村"]) == 2
    assert "英德市大湾镇田心村" in capsys.readouterr().err


def test_route_starts_without_tensorflow() -> None:
    code = "import sys; from bot.cli import main; main(['route','--type','debt']); assert 'tensorflow' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_users_create(directory_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    pw = "a long enough password"
    assert (
        main(["users", "create", "li", "--role", "mediator", "--org", "V441802006001", "--password", pw]) == 0
    )
    assert main(["users", "create", "li", "--role", "educator", "--password", pw]) == 2
    assert main(["users", "create", "wu", "--role", "mediator", "--org", "NOPE", "--password", pw]) == 2
    assert main(["users", "create", "zh", "--role", "educator", "--password", "short"]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "existing organization" in err and "at least" in err


def test_knowledge_check_covers_entries_and_topic_questions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "check"]) == 0
    out = capsys.readouterr().out
    assert "entries; by audience" in out and "topic questions" in out
