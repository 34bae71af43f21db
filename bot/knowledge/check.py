"""`bot knowledge check` and the gate of `bot knowledge publish`: every rule a knowledge folder must satisfy, each
problem reported as ``file:line: reason`` (line 0 when a rule is about a whole file)."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.knowledge.entries import Entry, load_entries, load_next_steps, validate
from bot.knowledge.review import CONFIRMED_FILE, stale_entries, unconfirmed_differences
from bot.knowledge.statutes import StatuteIndex
from bot.knowledge.topic_questions import load_topic_questions, validate_topic_questions
from bot.knowledge.topics import Topics
from bot.yamlfile import check_yaml


def yaml_problems(folder: Path) -> list[str]:
    """Every YAML file under the folder parses; a syntax error gives its line."""
    problems = []
    for path in sorted(folder.rglob("*.yml")):
        try:
            check_yaml(path.read_text(encoding="utf-8"))
        except yaml.MarkedYAMLError as error:
            line = error.problem_mark.line + 1 if error.problem_mark else 0
            problems.append(f"{path.relative_to(folder)}:{line}: YAML: {error.problem or error}")
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            problems.append(f"{path.relative_to(folder)}:0: {error}")
    return problems


def _entries(folder: Path, problems: list[str]) -> list[Entry]:
    """The entries, file by file, so that one malformed entry names its file."""
    entries: list[Entry] = []
    for path in sorted((folder / "qa").glob("*.yml")):
        try:
            entries.extend(load_entries(folder / "qa", only=path.name))
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            problems.append(f"qa/{path.name}:0: an entry is malformed ({type(error).__name__}: {error})")
    return entries


def _difference_problems(entries: list[Entry], topics: Topics, folder: Path) -> list[str]:
    """Entries of different audiences that answer one question on different articles, until a person confirms."""
    return [
        f"qa/{d.first.source_file}:{d.first.line}: {d.first.id} and {d.second.id} answer similar questions for "
        f"different audiences with different citations: make them agree, or confirm why in {CONFIRMED_FILE}"
        for d in unconfirmed_differences(entries, topics, folder)
    ]


def check_knowledge(folder: Path) -> list[str]:
    """All problems of the knowledge folder; an empty list means it may be published."""
    problems = yaml_problems(folder)
    if problems:
        return problems  # the other rules would only repeat the parse errors
    entries = _entries(folder, problems)
    topics = Topics.load(folder)
    problems.extend(
        validate(entries, StatuteIndex.load(folder / "laws"), set(load_next_steps(folder)), topics)
    )
    problems.extend(_difference_problems(entries, topics, folder))
    known = [text for entry in entries for text in entry.questions]
    asked = load_topic_questions(folder / "topic_questions")
    problems.extend(validate_topic_questions(asked, folder / "topic_questions", topics.codes, known))
    return problems


def counts(folder: Path) -> list[str]:
    """What the folder holds, for the check's summary."""
    entries = load_entries(folder / "qa")
    topics = Topics.load(folder)
    per_audience = {a: sum(a in e.audiences for e in entries) for a in topics.audiences}
    empty = [t for t in topics.codes if not any(e.topic == t for e in entries)]
    asked = load_topic_questions(folder / "topic_questions")
    stale = stale_entries(entries, StatuteIndex.load(folder / "laws"))
    return [
        f"{len(entries)} entries; by audience {per_audience}",
        f"{len(stale)} entries to review against the current law texts (`bot knowledge stale`)",
        f"topics without entries: {empty}",
        f"{len(asked)} topic questions",
    ]
