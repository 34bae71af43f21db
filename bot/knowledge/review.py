"""Keeping entries true to the law: which entries are stale after a law changed, and which entries of different
audiences answer the same question on a different legal basis."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from bot.knowledge.entries import Entry, normalize
from bot.knowledge.statutes import StatuteIndex
from bot.knowledge.topics import Topics
from bot.yamlfile import read_yaml

# The cosine of two entries' question bigrams (weighted by rarity) from which they ask one thing: at 0.35 the 363
# entries give 24 pairs to confirm, among them "我已经被骗转了钱" (elderly) ~ "刚被骗转账了" (general) at 0.36.
SIMILAR_QUESTIONS = 0.35
CONFIRMED_FILE = "legal/citation_differences.yml"


@dataclass(frozen=True)
class Stale:
    """An entry never reviewed against the current texts (``reviewed`` None), or reviewed against a version since
    replaced (``outdated``: law, version checked, current version) or without one of the laws it cites."""

    entry: Entry
    never: bool = False
    outdated: tuple[tuple[str, str, str], ...] = ()
    unchecked: tuple[str, ...] = ()

    @property
    def reasons(self) -> tuple[str, ...]:
        if self.never:
            return ("never reviewed",)
        return tuple(f"{law} checked against {old}, now {new}" for law, old, new in self.outdated) + tuple(
            f"{law} not checked" for law in self.unchecked
        )


def stale_entries(entries: list[Entry], statutes: StatuteIndex) -> list[Stale]:
    """Entries whose review record is missing, or does not list the current version of every law they cite."""
    found = []
    for entry in entries:
        if entry.reviewed is None:
            found.append(Stale(entry, never=True))
            continue
        checked = dict(entry.reviewed.laws)
        outdated, unchecked = [], []
        for law in dict.fromkeys(c.law for c in entry.citations):
            version = statutes.laws[law].version if law in statutes.laws else None
            current = version.isoformat() if version else "?"
            if law not in checked:
                unchecked.append(law)
            elif checked[law] != current:
                outdated.append((law, checked[law], current))
        if outdated or unchecked:
            found.append(Stale(entry, outdated=tuple(outdated), unchecked=tuple(unchecked)))
    return found


def _vector(entry: Entry) -> Counter[str]:
    """The character bigrams of all an entry's questions, counted."""
    grams: Counter[str] = Counter()
    for question in entry.questions:
        plain = normalize(question)
        grams.update(plain[i : i + 2] for i in range(len(plain) - 1))
    return grams


def _weighted(entries: list[Entry]) -> dict[str, dict[str, float]]:
    """Each entry's bigram counts weighted by (smoothed) inverse entry frequency and scaled to unit length."""
    counts = {e.id: _vector(e) for e in entries}
    frequency: Counter[str] = Counter(g for c in counts.values() for g in c)
    vectors = {}
    for entry_id, grams in counts.items():
        weights = {g: n * (math.log((1 + len(entries)) / (1 + frequency[g])) + 1) for g, n in grams.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors[entry_id] = {g: w / norm for g, w in weights.items()}
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    small, large = (a, b) if len(a) < len(b) else (b, a)
    return sum(w * large.get(g, 0.0) for g, w in small.items())


@dataclass(frozen=True)
class CitationDifference:
    """Two entries for different audiences that answer overlapping questions but cite different articles."""

    first: Entry
    second: Entry
    overlap: float

    @property
    def key(self) -> tuple[str, str]:
        return (self.first.id, self.second.id)


def citation_differences(entries: list[Entry], topics: Topics) -> list[CitationDifference]:
    """Pairs of entries of one topic (or of a topic and its twin) with no audience in common, similar questions and
    different citations: the same question must get the same law in every audience's entry, so a person confirms
    each pair."""
    twins = {frozenset((topic, twin)) for topic, (_, twin) in topics.twins.items()}
    vectors = _weighted(entries)
    found = []
    for a, b in combinations(entries, 2):
        if set(a.audiences) & set(b.audiences):
            continue
        if a.topic != b.topic and frozenset((a.topic, b.topic)) not in twins:
            continue
        if {(c.law, c.article) for c in a.citations} == {(c.law, c.article) for c in b.citations}:
            continue
        overlap = _cosine(vectors[a.id], vectors[b.id])
        if overlap >= SIMILAR_QUESTIONS:
            first, second = sorted((a, b), key=lambda e: e.id)
            found.append(CitationDifference(first, second, round(overlap, 2)))
    return sorted(found, key=lambda d: d.key)


def confirmed_differences(knowledge: Path) -> dict[tuple[str, str], str]:
    """Pairs a person has confirmed (knowledge/legal/citation_differences.yml): (id, id) → why they differ."""
    path = knowledge / CONFIRMED_FILE
    raw = read_yaml(path) if path.exists() else None
    confirmed = {}
    for item in (raw or {}).get("confirmed") or ():
        first, second = sorted(str(i) for i in item["entries"])
        confirmed[(first, second)] = str(item.get("reason", ""))
    return confirmed


def unconfirmed_differences(
    entries: list[Entry], topics: Topics, knowledge: Path
) -> list[CitationDifference]:
    """The pairs still waiting for a person to confirm (or to make the citations agree)."""
    confirmed = confirmed_differences(knowledge)
    return [d for d in citation_differences(entries, topics) if d.key not in confirmed]
