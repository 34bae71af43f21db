"""PhraseRules: the one loader for phrase-rule files (named lists of regular expressions under knowledge/)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from bot.knowledge.dialect import simplified
from bot.yamlfile import read_yaml

R = TypeVar("R", bound="PhraseRules")
_SPACE = re.compile(r"\s+")


class PhraseRules:
    """Named lists of patterns read from one file under knowledge/, matched against folded text.

    A subclass names its ``FILE`` (relative to knowledge/) and its ``KEYS``; ``TRADITIONAL`` folds traditional
    characters into simplified ones before matching (whitespace is always removed, so '不 想 活' matches 不想活).
    A file whose structure is richer than ``key: [patterns]`` overrides ``pattern_lists``. ``as_mapping`` gives
    back what ``from_mapping`` read, so NLU components can persist the rules inside the trained model.
    """

    FILE: ClassVar[str]
    KEYS: ClassVar[tuple[str, ...]] = ()
    TRADITIONAL: ClassVar[bool] = False

    def __init__(self, raw: Mapping[str, Any]):
        self._raw = dict(raw)
        lists = self.pattern_lists(self._raw)
        unknown = set(lists) - set(self.keys())
        if unknown:
            raise ValueError(f"unknown keys in knowledge/{self.FILE}: {sorted(unknown)}")
        self.patterns: dict[str, tuple[re.Pattern[str], ...]] = {
            key: tuple(re.compile(p) for p in lists.get(key) or ()) for key in self.keys()
        }

    def keys(self) -> tuple[str, ...]:
        """The pattern lists this kind of file may have (``KEYS``, unless the file itself names them)."""
        return self.KEYS

    @classmethod
    def pattern_lists(cls, raw: Mapping[str, Any]) -> dict[str, Sequence[str]]:
        """The pattern lists by key (the file itself, for a flat ``key: [patterns]`` file)."""
        return {str(key): value or () for key, value in raw.items()}

    @classmethod
    def from_mapping(cls: type[R], raw: Mapping[str, Any] | None) -> R:
        return cls(raw or {})

    @classmethod
    def load(cls: type[R], knowledge: Path) -> R:
        return cls.from_mapping(read_yaml(knowledge / cls.FILE))

    def as_mapping(self) -> dict[str, Any]:
        return dict(self._raw)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PhraseRules)
            and type(other) is type(self)
            and other.as_mapping() == self.as_mapping()
        )

    __hash__ = None  # type: ignore[assignment]

    def fold(self, text: str | None) -> str:
        folded = _SPACE.sub("", text or "")
        return simplified(folded) if self.TRADITIONAL else folded

    def matches(self, key: str, folded: str) -> bool:
        """Whether any pattern of ``key`` is found in already folded text."""
        return any(p.search(folded) for p in self.patterns[key])

    def first(self, key: str, folded: str) -> re.Match[str] | None:
        """The first pattern of ``key`` that matches, in file order."""
        return next((m for p in self.patterns[key] if (m := p.search(folded))), None)
