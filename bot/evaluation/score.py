"""Evaluation over the held-out set: send each question to the running bot over REST and score the replies."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bot.yamlfile import read_yaml

# Reply payload kind → the behaviour the evaluation set labels.
BEHAVIOUR = {"answer": "answer", "emergency": "emergency", "out_of_scope": "out_of_scope"}
BEHAVIOUR.update({"mediation_started": "mediation", "fallback": "fallback", "chitchat": "chitchat"})


@dataclass(frozen=True)
class Item:
    """One held-out question with the expected behaviour (and topic for answers)."""

    text: str
    kind: str
    topic: str | None
    audience: str


@dataclass(frozen=True)
class Outcome:
    item: Item
    kind: str
    topic: str | None


@dataclass(frozen=True)
class Slice:
    """Behaviour and topic accuracy of one part of a set (an audience, a group of topics)."""

    questions: int
    behaviour_accuracy: float
    answers: int
    topic_accuracy: float


@dataclass
class Report:
    """Every figure the evaluation prints and writes."""

    outcomes: list[Outcome]
    behaviour_accuracy: float = 0.0
    topic_accuracy: float = 0.0
    emergency_recall: float = 0.0
    emergency_false_alarms: float = 0.0  # share of the other questions given the emergency reply first
    oos_precision: float = 0.0
    oos_recall: float = 0.0
    in_scope_refused: float = 0.0  # share of answerable questions told "this needs a lawyer"
    per_topic_f1: dict[str, float] = field(default_factory=dict)
    confusions: list[tuple[str, str, int]] = field(default_factory=list)
    by_audience: dict[str, Slice] = field(default_factory=dict)
    by_topic_group: dict[str, Slice] = field(default_factory=dict)


def load_items(path: Path) -> list[Item]:
    data = read_yaml(path)
    return [
        Item(q["text"], q["kind"], q.get("topic"), q.get("audience", "general")) for q in data["questions"]
    ]


def classify(messages: list[dict[str, Any]]) -> tuple[str, str | None]:
    """The behaviour and topic of one bot reply, from the first payload that says what it was."""
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("kind") in BEHAVIOUR:
            return BEHAVIOUR[custom["kind"]], custom.get("topic")
    return "none", None


def ask(url: str, text: str, timeout: float = 30) -> list[dict[str, Any]]:
    """One question in a fresh conversation (so answers do not depend on each other)."""
    reply = requests.post(url, json={"sender": f"eval-{uuid.uuid4().hex}", "message": text}, timeout=timeout)
    reply.raise_for_status()
    return list(reply.json())


def f1(tp: int, fp: int, fn: int) -> float:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def share(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def slice_of(outcomes: list[Outcome]) -> Slice:
    answers = [o for o in outcomes if o.item.kind == "answer"]
    return Slice(
        len(outcomes),
        share(sum(o.kind == o.item.kind for o in outcomes), len(outcomes)),
        len(answers),
        share(sum(o.kind == "answer" and o.topic == o.item.topic for o in answers), len(answers)),
    )


def score(outcomes: list[Outcome], topic_groups: dict[str, str] | None = None) -> Report:
    """Behaviour accuracy, topic top-1 accuracy, per-topic F1, emergency recall and false alarms, out-of-scope
    P/R and in-scope refusals, confusions; by the asker's audience and (with ``topic_groups``, topic → audience
    it is written for) by group of topics."""
    report = Report(outcomes)
    if not outcomes:
        return report
    for audience in sorted({o.item.audience for o in outcomes}):
        report.by_audience[audience] = slice_of([o for o in outcomes if o.item.audience == audience])
    for group in sorted(set((topic_groups or {}).values())):
        mine = [o for o in outcomes if (topic_groups or {}).get(o.item.topic or "") == group]
        report.by_topic_group[group] = slice_of(mine)
    others = [o for o in outcomes if o.item.kind != "emergency"]
    report.emergency_false_alarms = share(sum(o.kind == "emergency" for o in others), len(others))
    answerable = [o for o in outcomes if o.item.kind == "answer"]
    report.in_scope_refused = share(sum(o.kind == "out_of_scope" for o in answerable), len(answerable))
    report.behaviour_accuracy = sum(o.kind == o.item.kind for o in outcomes) / len(outcomes)
    answers = [o for o in outcomes if o.item.kind == "answer"]
    if answers:
        report.topic_accuracy = sum(o.kind == "answer" and o.topic == o.item.topic for o in answers) / len(
            answers
        )
    emergencies = [o for o in outcomes if o.item.kind == "emergency"]
    if emergencies:
        report.emergency_recall = sum(o.kind == "emergency" for o in emergencies) / len(emergencies)
    said_oos = [o for o in outcomes if o.kind == "out_of_scope"]
    were_oos = [o for o in outcomes if o.item.kind == "out_of_scope"]
    report.oos_precision = (
        sum(o.item.kind == "out_of_scope" for o in said_oos) / len(said_oos) if said_oos else 0.0
    )
    report.oos_recall = sum(o.kind == "out_of_scope" for o in were_oos) / len(were_oos) if were_oos else 0.0
    topics = sorted({o.item.topic for o in answers if o.item.topic})
    for topic in topics:
        predicted = [o for o in outcomes if o.kind == "answer" and o.topic == topic]
        tp = sum(o.item.topic == topic for o in predicted)
        fn = sum(o.item.topic == topic for o in answers) - tp
        report.per_topic_f1[topic] = f1(tp, len(predicted) - tp, fn)
    pairs = Counter(
        (_label(o.item.kind, o.item.topic), _label(o.kind, o.topic))
        for o in outcomes
        if _label(o.item.kind, o.item.topic) != _label(o.kind, o.topic)
    )
    report.confusions = [(a, b, n) for (a, b), n in pairs.most_common()]
    return report


def _label(kind: str, topic: str | None) -> str:
    return f"answer:{topic}" if kind == "answer" else kind
