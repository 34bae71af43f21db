"""The statute index: law short name + article heading -> article text, read from ``knowledge/laws/*.md``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

NUMERAL = "零〇一二三四五六七八九十百千"
ARTICLE_RE = re.compile(r"^(第[" + NUMERAL + r"]+条(?:之[" + NUMERAL + r"]+)?)(?:[ \u3000]+|$)(.*)$")
FOOTNOTE_RE = re.compile(r"^[\u2460-\u2473][ \u3000]")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS.update({"五": 5, "六": 6, "七": 7, "八": 8, "九": 9})
_UNITS = {"十": 10, "百": 100, "千": 1000}
_SKIP = {"SOURCE.md", "README.md"}


@dataclass(frozen=True)
class Article:
    """One article of one law, exactly as in the statute file."""

    law: str
    article: str
    text: str

    @property
    def number(self) -> int:
        return chinese_to_int(self.article[1:].split("条", 1)[0])


@dataclass(frozen=True)
class Law:
    """A law file: its short name (file stem), full title and ordered articles."""

    name: str
    title: str
    articles: tuple[Article, ...]


def chinese_to_int(numeral: str) -> int:
    """Convert a Chinese numeral such as 一千零六十七 to 1067."""
    total, digit = 0, 0
    for ch in numeral:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (digit or 1) * _UNITS[ch]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
    return total + digit


def int_to_chinese(n: int) -> str:
    """Convert 1067 to 一千零六十七 (the form used in article headings)."""
    if not 0 < n < 10000:
        raise ValueError(n)
    digits = "零一二三四五六七八九"
    parts: list[str] = []
    zero_pending = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero_pending:
                parts.append("零")
            parts.append(digits[d] + unit)
            zero_pending = False
        elif parts:
            zero_pending = True
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def parse_law(path: Path) -> Law:
    """Split one statute Markdown file into articles (same rules as shared/laws/build_articles.py)."""
    title = path.stem
    articles: list[Article] = []
    current: tuple[str, list[str]] | None = None

    def close() -> None:
        if current is not None:
            articles.append(Article(path.stem, current[0], "\n".join(current[1]).strip()))

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("# ") and title == path.stem:
            title = line[2:].strip()
        match = ARTICLE_RE.match(line)
        if match:
            close()
            current = (match.group(1), [match.group(2)] if match.group(2) else [])
        elif line.startswith("#") or line.startswith("<!--") or FOOTNOTE_RE.match(line):
            close()
            current = None
        elif current is not None and line:
            current[1].append(line)
    close()
    return Law(path.stem, title, tuple(articles))


class StatuteIndex:
    """All laws in a folder, looked up by short name and article heading or number."""

    def __init__(self, laws: dict[str, Law]):
        self.laws = laws
        self._by_key = {(a.law, a.article): a for law in laws.values() for a in law.articles}

    @classmethod
    def load(cls, folder: Path) -> StatuteIndex:
        laws = {}
        for path in sorted(folder.glob("*.md")):
            if path.name not in _SKIP:
                law = parse_law(path)
                laws[law.name] = law
        return cls(laws)

    def get(self, law: str, article: str | int) -> Article | None:
        """Find an article by heading (第十条) or number (10); None when it does not exist."""
        heading = f"第{int_to_chinese(article)}条" if isinstance(article, int) else article
        return self._by_key.get((law, heading))

    def __len__(self) -> int:
        return len(self._by_key)
