"""Dispute types (knowledge/mediation/dispute_types.yml): codes, names, and the words that name each type."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from bot.mediation.places import syllables
from bot.yamlfile import read_yaml

FILE = "mediation/dispute_types.yml"
OTHER = "other"  # the type of a dispute nobody named
# "其他", "都不是" name the type "other" only in an answer this short, not inside a story ("其他人打我…").
SHORT_OTHER = 8
_SPACE = re.compile(r"\s+")
ROUTES = ("village", "town", "industry")  # which committee a type goes to first (bot/mediation/routing.py)


@dataclass(frozen=True)
class DisputeTypes:
    """Every dispute type in file order: code → name, code → keywords, code → route, code → the short words that
    answer "which kind of dispute" (``answers``)."""

    names: Mapping[str, str]
    keywords: Mapping[str, tuple[str, ...]]
    routes: Mapping[str, str]
    answers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> DisputeTypes:
        if OTHER not in raw:
            raise ValueError(f"knowledge/{FILE} must define the type {OTHER!r}")
        routes = {str(code): str(item.get("route") or ROUTES[0]) for code, item in raw.items()}
        unknown = {code: route for code, route in routes.items() if route not in ROUTES}
        if unknown:
            raise ValueError(f"knowledge/{FILE}: unknown routes {unknown}, allowed {ROUTES}")
        return cls(
            names={str(code): str(item["name"]) for code, item in raw.items()},
            keywords={
                str(code): tuple(str(k) for k in item.get("keywords") or ()) for code, item in raw.items()
            },
            routes=routes,
            answers={
                str(code): tuple(str(k) for k in item.get("answers") or ()) for code, item in raw.items()
            },
        )

    @classmethod
    def load(cls, knowledge: Path) -> DisputeTypes:
        return cls.from_mapping(read_yaml(knowledge / FILE) or {})

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.names)

    def name(self, code: str | None) -> str:
        return self.names.get(code or OTHER, "")

    def code_of(self, value: Any) -> str | None:
        """A type code from a button value, its name, or words containing one of its keywords."""
        text = str(value or "").strip()
        if text in self.names:
            return text
        for code, name in self.names.items():
            if text == name or any(k in text for k in self.keywords[code]):
                return code
        return None

    def answer_code(self, text: str, fold: Callable[[str], str] = str) -> str | None:
        """The type a typed answer to "which kind of dispute" names: a code, name or keyword (``code_of``), then an
        answer word, then any of these words by sound (交通事顾 → 交通事故, 物叶 → 物业). ``fold`` rewrites traditional
        characters and Cantonese first (屋企嘅事 → 家里的事)."""
        folded = fold(_SPACE.sub("", text or ""))
        found = self.code_of(folded)
        if found or not folded:
            return found
        for code, words in self.answers.items():
            if (code != OTHER or len(folded) <= SHORT_OTHER) and any(word in folded for word in words):
                return code
        heard = f" {' '.join(syllables(folded))} "
        return next((code for code, sound in self._sounds if sound in heard), None)

    @cached_property
    def _sounds(self) -> tuple[tuple[str, str], ...]:
        """(code, " syllables ") of every name, keyword and answer word of two characters or more, in file order."""
        return tuple(
            (code, f" {' '.join(syllables(word))} ")
            for code in self.names
            for word in (self.names[code], *self.keywords[code], *self.answers.get(code, ()))
            if len(word) >= 2
        )
