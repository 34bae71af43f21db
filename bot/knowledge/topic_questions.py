"""Questions people ask, labelled only by topic (``knowledge/topic_questions/``): loading and validation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.entries import normalize
from bot.yamlfile import read_yaml


@dataclass(frozen=True)
class TopicQuestion:
    """A question as a resident wrote it, and the topic it belongs to (no entry: it only teaches the topic)."""

    text: str
    topic: str


def load_topic_questions(folder: Path) -> list[TopicQuestion]:
    """Every ``<topic>.yml`` in the folder, in file order (an absent folder means none)."""
    found = []
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else ():
        raw = read_yaml(path) or {}
        topic = str(raw.get("topic") or path.stem)
        found += [TopicQuestion(str(text), topic) for text in raw.get("questions") or ()]
    return found


def validate_topic_questions(
    questions: list[TopicQuestion], folder: Path, topics: Iterable[str], entry_questions: Iterable[str] = ()
) -> list[str]:
    """Problems: an unknown topic, a file named after another topic, an empty or repeated question, or one that
    is already an entry's question (it would teach nothing new)."""
    known = {normalize(text) for text in entry_questions}
    codes = set(topics)
    problems = []
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else ():
        raw = read_yaml(path) or {}
        if raw.get("topic") != path.stem:
            problems.append(f"{path.name}: topic must be {path.stem!r}, the file's name")
    seen: dict[str, str] = {}
    for question in questions:
        key = normalize(question.text)
        if question.topic not in codes:
            problems.append(f"{question.text!r}: unknown topic {question.topic!r}")
        if not key:
            problems.append(f"{question.topic}: an empty question")
        elif key in known:
            problems.append(f"{question.text!r} ({question.topic}) is already an entry's question")
        elif key in seen:
            problems.append(f"{question.text!r} is in {seen[key]} and {question.topic}")
        else:
            seen[key] = question.topic
    return problems
