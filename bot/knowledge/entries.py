"""Q&A entries under ``knowledge/qa/``: the data model, loading, and the validation rules content must pass."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.knowledge.statutes import StatuteIndex
from bot.knowledge.topics import Topics
from bot.yamlfile import parse_yaml, read_yaml

MIN_PARAPHRASES = 10
MAX_ANSWER_HAN = 350
SIMPLE_HAN = (10, 100)  # the "说简单点" version: two or three short sentences
QUOTE_WINDOW = 20  # an answer sharing this many consecutive characters with a cited article quotes it
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ID = re.compile(r"^([a-z_]+)\.(\d{3})$")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_ENTRY_LINE = re.compile(r"^\s*-\s+id\s*:")  # the first line of an entry in a qa/*.yml file


@dataclass(frozen=True)
class Citation:
    """A (law, article heading[, paragraph]) that must exist in the statute index and be in force."""

    law: str
    article: str
    paragraph: int | None = None


@dataclass(frozen=True)
class Review:
    """When an entry was last checked against the law (``reviewed: {on: 2026-12, laws: {民法典: 2020-05-28}}``): the
    month, and the version date of each law it was checked against."""

    on: str
    laws: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Entry:
    """One question with its answer for one or more audiences."""

    id: str
    topic: str
    audiences: tuple[str, ...]
    question: str
    paraphrases: tuple[str, ...]
    answer: str
    simple: str
    citations: tuple[Citation, ...]
    next_steps: tuple[str, ...]
    offer_mediation: bool = False
    case: str | None = None
    reviewed: Review | None = None
    source_file: str = field(default="", compare=False)
    line: int = field(
        default=0, compare=False
    )  # where its ``- id:`` line is in the file (1-based; 0 unknown)

    @property
    def questions(self) -> tuple[str, ...]:
        """The canonical question followed by every paraphrase."""
        return (self.question, *self.paraphrases)


def han_count(text: str) -> int:
    """Number of Chinese (Han) characters in a text."""
    return len(_HAN.findall(text))


def normalize(text: str) -> str:
    """Fold a question for duplicate detection: no spaces or punctuation, lower case."""
    return _NOISE.sub("", text).lower()


def _entry_from(raw: dict[str, Any], topic: str, source: str, line: int = 0) -> Entry:
    return Entry(
        id=str(raw.get("id", "")),
        topic=topic,
        audiences=tuple(raw.get("audiences") or ()),
        question=str(raw.get("question", "")).strip(),
        paraphrases=tuple(str(p).strip() for p in raw.get("paraphrases") or ()),
        answer=str(raw.get("answer", "")).strip(),
        simple=str(raw.get("simple", "")).strip(),
        citations=tuple(
            Citation(str(c["law"]), str(c["article"]), c.get("paragraph")) for c in raw.get("citations") or ()
        ),
        next_steps=tuple(raw.get("next_steps") or ()),
        offer_mediation=bool(raw.get("offer_mediation", False)),
        case=(str(raw["case"]).strip() if raw.get("case") else None),
        reviewed=_review(raw.get("reviewed")),
        source_file=source,
        line=line,
    )


def _review(raw: Any) -> Review | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError(f"reviewed must be {{on: YYYY-MM, laws: {{law: version date}}}}, not {raw!r}")
    laws = raw.get("laws") or {}
    month = raw.get("on", raw.get(True, ""))  # YAML 1.1 reads an unquoted key `on` as true
    return Review(str(month), tuple((str(k), str(v)) for k, v in laws.items()))


def load_next_steps(knowledge: Path) -> dict[str, str]:
    """Where to go next (knowledge/legal/next_steps.yml): code → the sentence shown under an answer."""
    raw = read_yaml(knowledge / "legal" / "next_steps.yml") or {}
    return {str(k): str(v) for k, v in raw.items()}


def load_entries(folder: Path, only: str | None = None) -> list[Entry]:
    """Read every ``<topic>.yml`` file in the folder (or only the one named), in file then entry order."""
    entries: list[Entry] = []
    for path in sorted(folder.glob(only or "*.yml")):
        text = path.read_text(encoding="utf-8")
        data = parse_yaml(text) or {}
        topic = str(data.get("topic", ""))
        raws = list(data.get("entries") or ())
        lines = [n for n, line in enumerate(text.splitlines(), 1) if _ENTRY_LINE.match(line)]
        if len(lines) != len(raws):  # entries written another way (flow style): no line numbers
            lines = [0] * len(raws)
        for raw, line in zip(raws, lines, strict=True):
            entries.append(_entry_from(raw, topic, path.name, line))
    return entries


def _check_entry(
    entry: Entry, statutes: StatuteIndex, next_step_codes: set[str], topics: Topics, today: dt.date
) -> list[str]:
    where = f"qa/{entry.source_file}:{entry.line}: {entry.id or '?'}"
    problems: list[str] = []
    match = _ID.match(entry.id)
    if entry.topic not in topics.codes:
        problems.append(f"{where}: unknown topic {entry.topic!r}")
    if entry.source_file and entry.source_file != f"{entry.topic}.yml":
        problems.append(f"{where}: topic {entry.topic!r} does not match the file name")
    if not match or match.group(1) != entry.topic:
        problems.append(f"{where}: id must be '<topic>.NNN'")
    if not entry.audiences or any(a not in topics.audiences for a in entry.audiences):
        problems.append(f"{where}: audiences must be a non-empty subset of {tuple(topics.audiences)}")
    if not entry.question:
        problems.append(f"{where}: empty question")
    if len(entry.paraphrases) < MIN_PARAPHRASES:
        problems.append(f"{where}: {len(entry.paraphrases)} paraphrases, need {MIN_PARAPHRASES}")
    size = han_count(entry.answer)
    if not 30 <= size <= MAX_ANSWER_HAN:
        problems.append(f"{where}: answer has {size} Chinese characters, allowed 30..{MAX_ANSWER_HAN}")
    simple = han_count(entry.simple)
    if not SIMPLE_HAN[0] <= simple <= SIMPLE_HAN[1]:
        problems.append(
            f"{where}: simple has {simple} Chinese characters, allowed {SIMPLE_HAN[0]}..{SIMPLE_HAN[1]}"
        )
    if not entry.citations:
        problems.append(f"{where}: no citations")
    for cite in entry.citations:
        problems.extend(f"{where}: {p}" for p in _citation_problems(entry, cite, statutes, today))
    problems.extend(f"{where}: {p}" for p in _review_problems(entry.reviewed))
    unknown = [s for s in entry.next_steps if s not in next_step_codes]
    if not entry.next_steps or unknown:
        problems.append(f"{where}: next_steps empty or unknown codes {unknown}")
    return problems


def _citation_problems(entry: Entry, cite: Citation, statutes: StatuteIndex, today: dt.date) -> list[str]:
    article = statutes.get(cite.law, cite.article)
    if article is None:
        return [f"citation {cite.law} {cite.article} does not exist"]
    problems = []
    if cite.paragraph is not None and not (
        isinstance(cite.paragraph, int) and 1 <= cite.paragraph <= paragraph_count(article.text)
    ):
        problems.append(f"citation {cite.law} {cite.article} has no paragraph {cite.paragraph!r}")
    law = statutes.laws[cite.law]
    refused = law.in_force_problem(cite.article, cite.paragraph, today)
    if refused:
        problems.append(f"citation {cite.law} {cite.article}: {refused}")
    if quotes(entry.answer, article.text) or quotes(entry.simple, article.text):
        problems.append(f"answer quotes {cite.law}{cite.article}; quotes come from the index")
    return problems


_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _review_problems(review: Review | None) -> list[str]:
    if review is None:
        return []
    problems = []
    if not _MONTH.match(review.on):
        problems.append(f"reviewed.on must be a month such as 2026-12, not {review.on!r}")
    for law, version in review.laws:
        try:
            dt.date.fromisoformat(version)
        except ValueError:
            problems.append(f"reviewed.laws: {law} needs its version date (YYYY-MM-DD), not {version!r}")
    return problems


def paragraph_count(article_text: str) -> int:
    """Paragraphs (款) of an article: lines that are not enumerated items （一）（二）…"""
    return sum(1 for line in article_text.splitlines() if line and not line.startswith("（"))


def quotes(answer: str, article_text: str, window: int = QUOTE_WINDOW) -> bool:
    """True when the answer repeats ``window`` consecutive characters of the article text."""
    plain = normalize(article_text)
    folded = normalize(answer)
    return any(folded[i : i + window] in plain for i in range(0, max(0, len(folded) - window + 1)))


def validate(
    entries: list[Entry],
    statutes: StatuteIndex,
    next_step_codes: set[str],
    topics: Topics,
    today: dt.date | None = None,
) -> list[str]:
    """Every rule the knowledge base must satisfy on a day (default today); an empty list means it is valid."""
    today = today or dt.date.today()
    problems: list[str] = []
    seen_ids: set[str] = set()
    owner: dict[str, str] = {}
    for entry in entries:
        problems.extend(_check_entry(entry, statutes, next_step_codes, topics, today))
        if entry.id in seen_ids:
            problems.append(f"duplicate id {entry.id}")
        seen_ids.add(entry.id)
        for text in entry.questions:
            key = normalize(text)
            if key in owner and owner[key] != entry.id:
                problems.append(f"{entry.id}: question {text!r} also belongs to {owner[key]}")
            owner.setdefault(key, entry.id)
    return problems
