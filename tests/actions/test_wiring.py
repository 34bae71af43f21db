"""Every custom action in the domain has exactly one class, and every action class is in the domain."""

import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import yaml
from rasa_sdk import Action

import actions
from tests.paths import ROOT


def _action_classes() -> dict[str, list[type]]:
    found: dict[str, list[type]] = {}
    for module in pkgutil.iter_modules(actions.__path__):
        loaded = importlib.import_module(f"actions.{module.name}")
        for _name, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, Action) and cls.__module__ == loaded.__name__ and not inspect.isabstract(cls):
                found.setdefault(cls().name(), []).append(cls)
    return found


def test_domain_actions_and_classes_match_one_to_one() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    declared = set(domain["actions"])
    classes = _action_classes()
    assert set(classes) == declared
    assert all(len(v) == 1 for v in classes.values()), classes


def test_class_names_match_action_names() -> None:
    for name, (cls,) in _action_classes().items():
        assert cls.__name__ == "".join(part.title() for part in name.split("_")), (name, cls.__name__)


def test_importing_actions_does_no_io(tmp_path: Path) -> None:
    """rasa-sdk imports every module in actions/: that must not open the database or load knowledge."""
    database = tmp_path / "must-not-exist.db"
    code = (
        "import importlib, pkgutil, actions\n"
        "for m in pkgutil.iter_modules(actions.__path__): importlib.import_module('actions.' + m.name)\n"
        "from bot import services\n"
        "assert not services._by_folder and services._live is None\n"
        "from bot import privacy\n"
        "assert privacy._masker.cache_info().currsize == 0\n"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not database.exists()
