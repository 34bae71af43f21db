"""The training fingerprint covers every file the trained model carries, so a change to one retrains the model,
and nothing an educator publishes (answers, citations, next steps, new entries)."""

import inspect
import shutil
from pathlib import Path

from bot.mediation.disputes import DisputeTypes
from bot.mediation.places import Gazetteer
from bot.nlu.emergency import EmergencyOverride
from bot.nlu.mediation_wish import MediationWishOverride
from bot.nlu.scope import OutOfScopeOverride
from bot.ops.build import GENERATED, build_all
from bot.ops.training import FINGERPRINT_INPUTS, fingerprint
from tests.paths import ROOT

OVERRIDES = (OutOfScopeOverride, MediationWishOverride, EmergencyOverride)


def _covered(relative: str) -> bool:
    return any(relative == name or relative.startswith(f"{name}/") for name in FINGERPRINT_INPUTS)


def test_every_input_exists() -> None:
    assert [name for name in FINGERPRINT_INPUTS if not (ROOT / name).exists()] == []


def test_the_phrase_rules_the_model_carries_are_training_inputs() -> None:
    for override in OVERRIDES:
        assert _covered(f"knowledge/{override.RULES.FILE}"), override.RULES.FILE
        assert _covered(str(Path(inspect.getfile(override.RULES)).relative_to(ROOT))), override.RULES


def test_the_gazetteer_sources_are_training_inputs() -> None:
    for source in (DisputeTypes, Gazetteer):
        assert _covered(str(Path(inspect.getfile(source)).relative_to(ROOT))), source
    for folder in ("knowledge/places", "knowledge/divisions", "knowledge/mediation/dispute_types.yml"):
        assert _covered(folder), folder


def test_a_changed_danger_phrase_changes_the_fingerprint(tmp_path: Path) -> None:
    rules = tmp_path / "knowledge" / "legal" / "emergency.yml"
    rules.parent.mkdir(parents=True)
    rules.write_text("phrases: [救命]\n", encoding="utf-8")
    before = fingerprint(tmp_path, 1.0)
    rules.write_text("phrases: [救命, 快来人]\n", encoding="utf-8")
    assert fingerprint(tmp_path, 1.0) != before


def _project_copy(tmp_path: Path) -> Path:
    """What training reads (and knowledge/ whole) copied into tmp_path, built as `make train` builds it."""
    for name in {*FINGERPRINT_INPUTS, "knowledge", "bot"} - {"var/build"}:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True
            )
        else:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tmp_path / name)
    build_all(tmp_path, tmp_path / "var" / "build")
    return tmp_path


def test_publishing_content_never_retrains(tmp_path: Path) -> None:
    """An edited answer, citation or next step and a new entry change nothing training reads."""
    root = _project_copy(tmp_path)
    before = fingerprint(root, 1.0)
    labor = root / "knowledge" / "qa" / "labor.yml"
    text = labor.read_text(encoding="utf-8")
    text = text.replace("answer: ", "answer: 改写后的答复。", 1).replace("article: 第", "article: 第一百", 1)
    new_entry = text[text.index("  - id: labor.001") : text.index("  - id: labor.002")].replace(
        "labor.001", "labor.999"
    )
    labor.write_text(text + new_entry.replace("question: ", "question: 新问题：", 1), encoding="utf-8")
    steps = root / "knowledge" / "legal" / "next_steps.yml"
    steps.write_text(steps.read_text(encoding="utf-8") + "new_step: 新的去处\n", encoding="utf-8")
    build_all(root, root / "var" / "build")
    assert fingerprint(root, 1.0) == before


def test_refreshed_intent_examples_retrain(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    before = fingerprint(root, 1.0)
    generated = root / "data" / GENERATED
    generated.write_text(generated.read_text(encoding="utf-8") + "      - 新学的说法\n", encoding="utf-8")
    build_all(root, root / "var" / "build")
    assert fingerprint(root, 1.0) != before
