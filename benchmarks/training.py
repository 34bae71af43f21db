"""Training time of the current models, read from the logs kept beside them (training again here would take the
benchmark's whole budget): first to last timestamp, and the intent model's (DIET) share."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from bot.ops.runner import latest_model
from bot.ops.training import training_log
from bot.settings import get_settings

STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) ")


def _at(line: str) -> datetime | None:
    found = STAMP.match(line)
    return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S") if found else None


def durations(log: Path) -> tuple[float, float]:
    """Seconds from the first to the last stamped line, and from DIET's start to its end."""
    stamped = [(at, line) for line in log.read_text(encoding="utf-8").splitlines() if (at := _at(line))]
    if not stamped:
        return 0.0, 0.0
    total = (stamped[-1][0] - stamped[0][0]).total_seconds()
    diet = [at for at, line in stamped if "component 'DIETClassifier'" in line]
    return total, (diet[-1] - diet[0]).total_seconds() if len(diet) >= 2 else 0.0


def main() -> None:
    settings = get_settings()
    for label, folder in (
        ("full model", settings.model_dir),
        ("test model", settings.project_root / "var" / "test-model"),
    ):
        model = latest_model(folder)
        log = training_log(model) if model else None
        if log is None or not log.exists():
            print(f"training: no {label} log in {folder}")
            continue
        total, diet = durations(log)
        print(
            f"training: {label} {model.name if model else ''}: {total / 60:.1f} min, of which DIET {diet / 60:.1f} min"
        )


if __name__ == "__main__":
    main()
