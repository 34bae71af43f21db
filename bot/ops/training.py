"""Training the Rasa model only when its inputs changed (a fingerprint over every file training reads)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from bot.hashing import tree_digest
from bot.ops.build import DATA
from bot.settings import child_env

FINGERPRINT_INPUTS = (
    "config.yml",
    "domain.yml",
    "data",
    "var/build",  # bot build's output: the jieba dictionaries and the training data (data/ + generated)
    "knowledge/jieba",
    "knowledge/divisions",
    "knowledge/places",
    "knowledge/mediation",
    "knowledge/legal/emergency.yml",  # the danger phrases (EmergencyOverride)
    "knowledge/legal/scope.yml",  # the out-of-scope subjects (OutOfScopeOverride)
    # The code that turns knowledge/ into what the model carries: our NLU components, the build and the rules.
    "bot/nlu",
    "bot/knowledge",
    "bot/ops/build.py",
    "bot/mediation/places.py",
    "bot/mediation/disputes.py",
    "bot/mediation/wish.py",
    "bot/legal/emergency.py",
    "bot/legal/scope.py",
    "requirements.lock",
)
BUILD_DATA = Path("var") / "build" / DATA  # data/ plus generated examples, relative to the project root
# Same data, same seed, same model: without this, TensorFlow's multi-threaded CPU kernels make DIET differ
# from run to run (measured: dev-set behaviour accuracy moved by about two points between identical trainings).
TRAINING_ENV = {"TF_DETERMINISTIC_OPS": "1"}


def fingerprint(root: Path, epochs_scale: float) -> str:
    """SHA-256 over the paths and bytes of every training input, plus the epoch scale."""
    return tree_digest(root, FINGERPRINT_INPUTS, f"scale={epochs_scale}")


def scaled_config(config: dict, scale: float, knowledge_fingerprint: str = "") -> dict:
    """A copy of config.yml with every ``epochs`` multiplied by ``scale`` (at least 1).

    Our own components read knowledge/ files that Rasa does not know about; putting their fingerprint in the
    component config makes Rasa's training cache retrain them when that content changes.
    """
    out = yaml.safe_load(yaml.safe_dump(config))
    for section in ("pipeline", "policies"):
        for component in out.get(section) or []:
            if "epochs" in component:
                component["epochs"] = max(1, round(component["epochs"] * scale))
            if str(component.get("name", "")).startswith("bot.nlu."):
                component["knowledge_fingerprint"] = knowledge_fingerprint
    return out


def model_path(root: Path, out_dir: Path, epochs_scale: float) -> Path:
    return out_dir / f"qybot-{fingerprint(root, epochs_scale)[:16]}.tar.gz"


def training_log(model: Path) -> Path:
    """The training output kept next to a model (tests read it for warnings)."""
    return model.with_name(model.name.replace(".tar.gz", ".train.log"))


def ensure_model(root: Path, out_dir: Path, epochs_scale: float = 1.0) -> Path:
    """Return the model for the current inputs, training it first if it does not exist yet."""
    target = model_path(root, out_dir, epochs_scale)
    log_file = training_log(target)
    if target.exists():
        print(f"the model is up to date, not training: {target}", flush=True)
        return target
    out_dir.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((root / "config.yml").read_text(encoding="utf-8"))
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False, encoding="utf-8") as tmp:
        knowledge = fingerprint(root, epochs_scale)
        yaml.safe_dump(scaled_config(config, epochs_scale, knowledge), tmp, allow_unicode=True)
    command = [sys.executable, "-m", "rasa", "train", "--config", tmp.name, "--domain", "domain.yml"]
    command += ["--data", str(BUILD_DATA), "--out", str(out_dir)]
    command += ["--fixed-model-name", target.name[: -len(".tar.gz")]]
    print(f"training the model (several minutes): {target.name}", flush=True)
    log = log_file.open("w", encoding="utf-8")
    try:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=child_env(**TRAINING_ENV),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            log.write(line)
        if process.wait() != 0:
            raise RuntimeError(f"rasa train failed with exit code {process.returncode}")
    finally:
        Path(tmp.name).unlink(missing_ok=True)
        log.close()
    for old in out_dir.glob("qybot-*"):
        if old not in (target, log_file):
            old.unlink()
    return target
