"""Q&A entries under ``knowledge/qa/``: the data model, loading, and the validation rules content must pass."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.knowledge.statutes import StatuteIndex
from bot.knowledge.topics import Topics
from bot.yamlfile import parse_yaml, read_yaml

# Laws whose shared text predates revisions in force from 2026-01-01: never cite their article numbers.
UNCITABLE_LAWS = ("治安管理处罚法", "网络安全法")
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
    """A (law, article heading) pair that must exist in the statute index."""

    law: str
    article: str


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
        citations=tuple(Citation(str(c["law"]), str(c["article"])) for c in raw.get("citations") or ()),
        next_steps=tuple(raw.get("next_steps") or ()),
        offer_mediation=bool(raw.get("offer_mediation", False)),
        case=(str(raw["case"]).strip() if raw.get("case") else None),
        source_file=source,
        line=line,
    )


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
    entry: Entry, statutes: StatuteIndex, next_step_codes: set[str], topics: Topics
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
        article = statutes.get(cite.law, cite.article)
        if cite.law in UNCITABLE_LAWS:
            problems.append(f"{where}: {cite.law} must not be cited (outdated text)")
        elif article is None:
            problems.append(f"{where}: citation {cite.law} {cite.article} does not exist")
        elif quotes(entry.answer, article.text) or quotes(entry.simple, article.text):
            problems.append(f"{where}: answer quotes {cite.law}{cite.article}; quotes come from the index")
    unknown = [s for s in entry.next_steps if s not in next_step_codes]
    if not entry.next_steps or unknown:
        problems.append(f"{where}: next_steps empty or unknown codes {unknown}")
    return problems


def quotes(answer: str, article_text: str, window: int = QUOTE_WINDOW) -> bool:
    """True when the answer repeats ``window`` consecutive characters of the article text."""
    plain = normalize(article_text)
    folded = normalize(answer)
    return any(folded[i : i + window] in plain for i in range(0, max(0, len(folded) - window + 1)))


def validate(
    entries: list[Entry], statutes: StatuteIndex, next_step_codes: set[str], topics: Topics
) -> list[str]:
    """Every rule the knowledge base must satisfy; an empty list means it is valid."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    owner: dict[str, str] = {}
    for entry in entries:
        problems.extend(_check_entry(entry, statutes, next_step_codes, topics))
        if entry.id in seen_ids:
            problems.append(f"duplicate id {entry.id}")
        seen_ids.add(entry.id)
        for text in entry.questions:
            key = normalize(text)
            if key in owner and owner[key] != entry.id:
                problems.append(f"{entry.id}: question {text!r} also belongs to {owner[key]}")
            owner.setdefault(key, entry.id)
    return problems
