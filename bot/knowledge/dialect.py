"""Cantonese-to-Mandarin word folding (knowledge/dialect.yml) applied before questions are compared."""

from __future__ import annotations

import re
from pathlib import Path

import yaml


class Dialect:
    """Rewrites Cantonese words into Mandarin, longest first, so both ways of writing meet in one form."""

    def __init__(self, words: dict[str, str]):
        self.words = dict(words)
        longest_first = sorted(self.words, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(w) for w in longest_first)) if longest_first else None

    @classmethod
    def load(cls, knowledge: Path) -> Dialect:
        path = knowledge / "dialect.yml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
        return cls({str(k): str(v) for k, v in ((raw or {}).get("words") or {}).items()})

    def fold(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self.words[m.group(0)], text)
