"""Emergency detection: danger happening now (violence, suicide, child, scam transfer, fire, medical)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# A child in danger is checked first so "小孩被锁在屋里" is not filed as plain violence.
CATEGORIES = ("child_danger", "violence", "suicide", "scam_transfer", "fire", "medical")


@dataclass(frozen=True)
class EmergencyRules:
    """Compiled patterns per category, checked in a fixed order."""

    patterns: dict[str, list[re.Pattern[str]]]

    @classmethod
    def from_mapping(cls, raw: dict[str, list[str]]) -> EmergencyRules:
        unknown = set(raw) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown emergency categories: {sorted(unknown)}")
        return cls({cat: [re.compile(p) for p in raw.get(cat) or ()] for cat in CATEGORIES})

    @classmethod
    def load(cls, knowledge: Path) -> EmergencyRules:
        text = (knowledge / "safety" / "emergency.yml").read_text(encoding="utf-8")
        return cls.from_mapping(yaml.safe_load(text) or {})

    def as_mapping(self) -> dict[str, list[str]]:
        return {cat: [p.pattern for p in pats] for cat, pats in self.patterns.items()}

    def detect(self, text: str) -> str | None:
        """The first matching category, or None. Spaces are ignored so '不 想 活' still matches."""
        folded = re.sub(r"\s+", "", text or "")
        for category in CATEGORIES:
            if any(p.search(folded) for p in self.patterns[category]):
                return category
        return None
