"""Inferring who is asking (youth / elderly / general) from what they say."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.statutes import chinese_to_int
from bot.yamlfile import read_yaml

DEFAULT_AUDIENCE = "general"  # whoever the words do not tell us about
ELDERLY_AGE = 60
YOUTH_AGE = 18


@dataclass(frozen=True)
class AudienceRules:
    """Keyword lists and the stated-age pattern from knowledge/legal/audience.yml."""

    parent_markers: tuple[str, ...]
    youth: tuple[str, ...]
    elderly: tuple[str, ...]
    about_youth: tuple[str, ...] = ()
    about_elderly: tuple[str, ...] = ()
    age: re.Pattern[str] | None = None
    youth_patterns: tuple[re.Pattern[str], ...] = ()
    elderly_patterns: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def load(cls, knowledge: Path) -> AudienceRules:
        raw = read_yaml(knowledge / "legal" / "audience.yml") or {}
        lists = {key: tuple(raw.get(key) or ()) for key in ("parent_markers", "youth", "elderly")}
        lists |= {key: tuple(raw.get(key) or ()) for key in ("about_youth", "about_elderly")}
        return cls(
            **lists,
            age=re.compile(raw["age"]) if raw.get("age") else None,
            youth_patterns=tuple(re.compile(p) for p in raw.get("youth_patterns") or ()),
            elderly_patterns=tuple(re.compile(p) for p in raw.get("elderly_patterns") or ()),
        )

    def about(self, text: str) -> frozenset[str]:
        """Who the question is about (youth / elderly), whoever asks: '我妈被骗了' is about the elderly."""
        text = re.sub(r"\s+", "", text or "")
        found = set()
        if any(k in text for k in self.about_youth + self.youth):
            found.add("youth")
        if any(k in text for k in self.about_elderly + self.elderly):
            found.add("elderly")
        asker = self.infer(text)
        return frozenset(found | ({asker} if asker in ("youth", "elderly") else set()))

    def stated_age(self, text: str) -> int | None:
        """The age in '我今年72了', '我72岁', '我七十多岁'; None when no age is stated."""
        match = self.age.search(text) if self.age else None
        if not match:
            return None
        value = match.group(1)
        try:
            age = int(value) if value.isdigit() else chinese_to_int(value)
        except ValueError:
            return None
        return age if 5 <= age <= 120 else None

    def infer(self, text: str) -> str | None:
        """'general' for a parent asking about a child; else from a stated age; else from keywords."""
        text = re.sub(r"\s+", "", text or "")
        if any(m in text for m in self.parent_markers):
            return DEFAULT_AUDIENCE
        age = self.stated_age(text)
        if age is not None:
            if age >= ELDERLY_AGE:
                return "elderly"
            return "youth" if age <= YOUTH_AGE else DEFAULT_AUDIENCE
        if any(k in text for k in self.youth) or any(p.search(text) for p in self.youth_patterns):
            return "youth"
        if any(k in text for k in self.elderly) or any(p.search(text) for p in self.elderly_patterns):
            return "elderly"
        return None
