"""Telling a request to mediate one's own dispute from a question about the mediation service (phrase rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

KEYS = ("wish", "about_service", "mentions")


@dataclass(frozen=True)
class WishRules:
    """`wish` patterns say "please mediate"; `about_service` patterns mark a question about mediation itself;
    without any of the `mentions`, a message does not ask for mediation at all."""

    wish: tuple[re.Pattern[str], ...]
    about_service: tuple[re.Pattern[str], ...]
    mentions: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def from_mapping(cls, raw: dict[str, list[str]]) -> WishRules:
        unknown = set(raw) - set(KEYS)
        if unknown:
            raise ValueError(f"unknown keys in mediation wish rules: {sorted(unknown)}")
        return cls(*(tuple(re.compile(p) for p in raw.get(key) or ()) for key in KEYS))

    @classmethod
    def load(cls, knowledge: Path) -> WishRules:
        text = (knowledge / "mediation" / "wish.yml").read_text(encoding="utf-8")
        return cls.from_mapping(yaml.safe_load(text) or {})

    def as_mapping(self) -> dict[str, list[str]]:
        return {key: [p.pattern for p in getattr(self, key)] for key in KEYS}

    def wants_mediation(self, text: str) -> bool:
        """True when the text asks for mediation and is not a question about the service."""
        folded = _fold(text)
        return self._any(self.wish, folded) and not self._any(self.about_service, folded)

    def asks_about_service(self, text: str, tells_dispute: bool = True) -> bool:
        """True for a question about mediation itself ("调解要钱吗") that does not also ask for it. Without a
        dispute in the message ("我想申请调解，要带什么材料"), the wish words are part of the question."""
        folded = _fold(text)
        about = self._any(self.about_service, folded)
        return about and (not tells_dispute or not self._any(self.wish, folded))

    @staticmethod
    def _any(patterns: tuple[re.Pattern[str], ...], folded: str) -> bool:
        return any(p.search(folded) for p in patterns)

    def mentions_mediation(self, text: str) -> bool:
        """True when the text says anything about mediating, coordinating or someone stepping in."""
        return self._any(self.mentions, _fold(text))


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", text or "")
