"""The statute index: law short name + article heading -> article text, read from ``knowledge/laws/*.md``, with each
file's version, effective date and repealed paragraphs (its front matter)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.yamlfile import parse_yaml

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


KINDS = ("law", "regulation", "interpretation")  # 法律 / 行政法规等 / 司法解释


@dataclass(frozen=True)
class Repeal:
    """A paragraph (or, with paragraph None, a whole article) no longer in force from a date."""

    article: str
    paragraph: int | None
    since: dt.date
    by: str


@dataclass(frozen=True)
class Law:
    """A law file: its short name (file stem), full title, ordered articles and version (its front matter)."""

    name: str
    title: str
    articles: tuple[Article, ...]
    kind: str = "law"
    version: dt.date | None = None  # the date of the text: adopted, amended or revised
    effective: dt.date | None = None  # the date this version took effect
    label: str | None = None  # shown after the name when citing, e.g. 2025年修订
    expires: dt.date | None = None  # no longer in force from this date (repealed or replaced)
    repealed: tuple[Repeal, ...] = field(default=())

    @property
    def cited_as(self) -> str:
        """How an answer names it: 《治安管理处罚法》（2025年修订）; an interpretation by its full title."""
        name = self.title if self.kind == "interpretation" else self.name
        return f"《{name}》" + (f"（{self.label}）" if self.label else "")

    def in_force_problem(self, article: str, paragraph: int | None, today: dt.date) -> str | None:
        """Why citing this article (or one paragraph of it) today is wrong, or None when it is in force."""
        if self.effective is not None and self.effective > today:
            return f"not yet in force (from {self.effective})"
        if self.expires is not None and self.expires <= today:
            return f"no longer in force (since {self.expires})"
        for repeal in self.repealed:
            if repeal.article != article or repeal.since > today:
                continue
            if repeal.paragraph is None or repeal.paragraph == paragraph:
                what = article + (f"第{int_to_chinese(repeal.paragraph)}款" if repeal.paragraph else "")
                return f"{what} repealed since {repeal.since} by {repeal.by}"
            if paragraph is None:
                return (
                    f"{article}第{int_to_chinese(repeal.paragraph)}款 repealed since {repeal.since} by {repeal.by};"
                    " cite the paragraph still in force (paragraph: N)"
                )
        return None


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


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML block between leading ``---`` lines (the version record) and the statute text after it."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ValueError("front matter without its closing ---")
    return parse_yaml(text[4:end]) or {}, text[end + 5 :]


def _version(meta: dict[str, Any]) -> dict[str, Any]:
    kind = str(meta.get("kind", "law"))
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    repeals = tuple(
        Repeal(str(r["article"]), r.get("paragraph"), _date(r["from"]) or dt.date.min, str(r.get("by", "")))
        for r in meta.get("repealed") or ()
    )
    return {
        "kind": kind,
        "version": _date(meta.get("version")),
        "effective": _date(meta.get("effective")),
        "label": meta.get("label"),
        "expires": _date(meta.get("expires")),
        "repealed": repeals,
    }


def parse_law(path: Path) -> Law:
    """Split one statute Markdown file into articles (same rules as shared/laws/build_articles.py), after its
    front matter."""
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    title = path.stem
    articles: list[Article] = []
    current: tuple[str, list[str]] | None = None

    def close() -> None:
        if current is not None:
            articles.append(Article(path.stem, current[0], "\n".join(current[1]).strip()))

    for raw in body.splitlines():
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
    return Law(path.stem, title, tuple(articles), **_version(meta))


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

    def law_cited_as(self, law: str) -> str:
        """《治安管理处罚法》（2025年修订）: the law's name as answers cite it."""
        known = self.laws.get(law)
        return known.cited_as if known else f"《{law}》"

    def cited_as(self, law: str, article: str, paragraph: int | None = None) -> str:
        """《治安管理处罚法》（2025年修订）第六十条, with 第N款 when one paragraph is cited."""
        return self.law_cited_as(law) + article + (f"第{int_to_chinese(paragraph)}款" if paragraph else "")

    def __len__(self) -> int:
        return len(self._by_key)
