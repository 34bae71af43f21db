"""Real citizens' questions with their labels (knowledge/real_questions/): the training split, read by the build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.yamlfile import read_yaml


@dataclass(frozen=True)
class RealQuestion:
    """A question as a citizen wrote it on a consultation site, and what the assistant should do with it."""

    id: str
    text: str
    kind: str  # answer, out_of_scope, emergency, mediation, fallback
    topic: str | None
    audience: str
    entry: str | None = None


def load_real_questions(path: Path) -> list[RealQuestion]:
    """Every labelled question of one split file (an absent file means none)."""
    if not path.exists():
        return []
    raw = read_yaml(path) or {}
    return [
        RealQuestion(
            str(q["id"]),
            str(q["text"]),
            str(q["kind"]),
            q.get("topic"),
            str(q.get("audience", "general")),
            q.get("entry"),
        )
        for q in raw.get("questions") or ()
    ]
