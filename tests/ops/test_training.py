"""The training fingerprint covers every file the trained model carries, so a change to one retrains the model."""

import inspect
from pathlib import Path

from bot.mediation.disputes import DisputeTypes
from bot.mediation.places import Gazetteer
from bot.nlu.emergency import EmergencyOverride
from bot.nlu.mediation_wish import MediationWishOverride
from bot.nlu.scope import OutOfScopeOverride
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
