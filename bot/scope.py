"""Out-of-scope subjects (knowledge/scope.yml): legal questions that need a lawyer, not a knowledge-base entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge.dialect import simplified

KEYS = ("outside", "unless")


@dataclass(frozen=True)
class ScopeRules:
    """`outside` patterns name subjects the knowledge base does not cover (patents, tax, visas, adult criminal
    defence…); `unless` patterns show the question is one it does cover after all (a scam, a minor, wages…)."""

    outside: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]

    @classmethod
    def from_mapping(cls, raw: dict[str, list[str]]) -> ScopeRules:
        unknown = set(raw) - set(KEYS)
        if unknown:
            raise ValueError(f"unknown scope keys: {sorted(unknown)}")
        return cls(*(tuple(re.compile(p) for p in raw.get(key) or ()) for key in KEYS))

    @classmethod
    def load(cls, knowledge: Path) -> ScopeRules:
        text = (knowledge / "scope.yml").read_text(encoding="utf-8")
        return cls.from_mapping(yaml.safe_load(text) or {})

    def as_mapping(self) -> dict[str, list[str]]:
        return {key: [p.pattern for p in getattr(self, key)] for key in KEYS}

    def is_outside(self, text: str) -> bool:
        """True when the question names an out-of-scope subject and nothing that brings it back in scope."""
        folded = simplified(re.sub(r"\s+", "", text or ""))
        if not any(p.search(folded) for p in self.outside):
            return False
        return not any(p.search(folded) for p in self.unless)
