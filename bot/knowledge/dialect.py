"""Folding how people write into one form before questions are compared: traditional characters into
simplified (OpenCC), then Cantonese words into Mandarin (knowledge/dialect.yml)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from opencc_purepy import OpenCC

from bot.yamlfile import read_yaml


@lru_cache(maxsize=1)
def _simplifier() -> OpenCC:
    return OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters as simplified ones: 買到假貨 → 买到假货 (phrase-aware, 乾淨 → 干净)."""
    return str(_simplifier().convert(text)) if text else text


class Dialect:
    """Rewrites traditional characters as simplified, then Cantonese words as Mandarin, longest first, so
    all ways of writing a question meet in one form."""

    def __init__(self, words: dict[str, str]):
        self.words = dict(words)
        longest_first = sorted(self.words, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(w) for w in longest_first)) if longest_first else None

    @classmethod
    def load(cls, knowledge: Path) -> Dialect:
        path = knowledge / "dialect.yml"
        raw = read_yaml(path) if path.exists() else None
        return cls({str(k): str(v) for k, v in ((raw or {}).get("words") or {}).items()})

    def fold(self, text: str) -> str:
        text = simplified(text)
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self.words[m.group(0)], text)
