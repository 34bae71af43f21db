"""Regression guard: a fixed sample of the held-out set through the trained model, with tolerant floors.

This is not the evaluation (``make eval`` runs the whole set through the running bot and prints the real
figures); it fails when a change makes the assistant clearly worse.
"""

from typing import Any

import pytest

from bot.evaluation.report import summary_lines
from bot.evaluation.score import Outcome, classify, load_items, score
from tests.paths import ROOT

pytestmark = pytest.mark.model

EVERY = 6  # every 6th question: a fixed sample covering every kind
# Floors sit a little below what this sample measured when they were set (the full evaluation's targets are
# higher: see README "Evaluation"); raise them as the assistant improves, never lower them to pass.
# Raised on 2026-11-29 after the test model measured 0.949 / 0.875 / 0.933 on this sample (was 0.75 / 0.70 / 0.85).
FLOORS = {"behaviour_accuracy": 0.90, "topic_accuracy": 0.80, "emergency_recall": 0.90}


async def test_sample_stays_above_the_floors(agent: Any) -> None:
    items = load_items(ROOT / "tests" / "eval" / "questions.yml")
    sample = items[::EVERY] + [i for i in items if i.kind == "emergency"]
    outcomes = []
    for number, item in enumerate(sample):
        kind, topic = classify(await agent.handle_text(item.text, sender_id=f"guard-{number}"))
        outcomes.append(Outcome(item, kind, topic))
    report = score(outcomes)
    print(f"guard sample: {len(sample)} questions; " + "; ".join(summary_lines(report)[1:]))  # shown with -s
    misses = [
        (o.item.text, o.item.kind, o.item.topic, o.kind, o.topic) for o in outcomes if o.kind != o.item.kind
    ]
    assert report.emergency_recall >= FLOORS["emergency_recall"], misses
    assert report.behaviour_accuracy >= FLOORS["behaviour_accuracy"], misses
    assert report.topic_accuracy >= FLOORS["topic_accuracy"], report.confusions
