"""Emergency detection: danger happening now (violence, suicide, child, scam transfer, fire, medical)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# A child in danger is checked first so "小孩被锁在屋里" is not filed as plain violence.
CATEGORIES = ("child_danger", "violence", "suicide", "scam_transfer", "fire", "medical")
# A legal question about such a danger ("威胁说要杀我全家算不算家暴"), or a danger that is past, habitual or over
# ("上次把我推倒在地上", "我没转直接挂了"), is not an emergency unless it says the danger is happening now;
# suicide is held back only when a legal question is also plainly about a past attempt or a threat used as
# leverage ("前夫说不给钱就去死，这样签的协议有效吗").
GUARDS = ("asking_about_law", "past_or_habitual", "happening_now", "past_or_leverage")
ALWAYS = ("suicide",)


@dataclass(frozen=True)
class EmergencyRules:
    """Compiled patterns per category, checked in a fixed order, and the question/now guards."""

    patterns: dict[str, list[re.Pattern[str]]]
    guards: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, raw: dict[str, list[str]]) -> EmergencyRules:
        unknown = set(raw) - set(CATEGORIES) - set(GUARDS)
        if unknown:
            raise ValueError(f"unknown emergency categories: {sorted(unknown)}")
        compiled = {key: [re.compile(p) for p in raw.get(key) or ()] for key in CATEGORIES + GUARDS}
        return cls({c: compiled[c] for c in CATEGORIES}, {g: compiled[g] for g in GUARDS})

    @classmethod
    def load(cls, knowledge: Path) -> EmergencyRules:
        text = (knowledge / "safety" / "emergency.yml").read_text(encoding="utf-8")
        return cls.from_mapping(yaml.safe_load(text) or {})

    def as_mapping(self) -> dict[str, list[str]]:
        both = {**self.patterns, **self.guards}
        return {key: [p.pattern for p in pats] for key, pats in both.items()}

    def _any(self, patterns: list[re.Pattern[str]], text: str) -> bool:
        return any(p.search(text) for p in patterns)

    def detect(self, text: str) -> str | None:
        """The first matching category, or None. Spaces are ignored so '不 想 活' still matches."""
        folded = re.sub(r"\s+", "", text or "")
        for category in CATEGORIES:
            # A category held back as a legal question does not stop a later one.
            if category in ALWAYS:
                held_back = self._asking(folded) and self._any(self.guards["past_or_leverage"], folded)
            else:
                held_back = self._past_or_asking(folded)
            if not held_back and self._any(self.patterns[category], folded):
                return category
        return None

    def _asking(self, folded: str) -> bool:
        """A question about the law that does not say the danger is happening now."""
        return self._any(self.guards["asking_about_law"], folded) and not self._now(folded)

    def _past_or_asking(self, folded: str) -> bool:
        """A legal question, or a danger past, habitual or over, not said to be happening now."""
        past = self._any(self.guards["past_or_habitual"], folded)
        return (past or self._any(self.guards["asking_about_law"], folded)) and not self._now(folded)

    def _now(self, folded: str) -> bool:
        return self._any(self.guards["happening_now"], folded)

    def asking_about_law(self, text: str) -> bool:
        """A question about the law of a danger (past, or in general) that does not say it is happening now."""
        return self._asking(re.sub(r"\s+", "", text or ""))
