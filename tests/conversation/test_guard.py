"""Regression guard: real citizens' questions set aside for it (tests/eval/real/guard.yml, plus the real
emergencies of the training split) through the trained test model, with tolerant floors.

This is not the evaluation: no figure is reported from these questions, so their misses may be printed when the
guard fails. It fails when a change makes the assistant clearly worse on the questions people actually write.
"""

from typing import Any

import pytest

from bot.evaluation.report import summary_lines
from bot.evaluation.score import Outcome, classify, load_items, score
from tests.paths import ROOT

pytestmark = pytest.mark.model

REAL = ROOT / "tests" / "eval" / "real"
# Floors sit a little below what the test model measured on these questions when they were set; raise them as
# the assistant improves, never lower them to pass.
# Set on 2026-12-07 after the test model measured 0.703 / 0.570 / 0.714 (5 of 7 emergencies) here.
FLOORS = {"behaviour_accuracy": 0.66, "topic_accuracy": 0.52, "emergency_recall": 0.70}
# Ceilings likewise, a little above what was measured then (0.023 and 0.234); lower them as the assistant improves.
CEILINGS = {"emergency_false_alarms": 0.04, "in_scope_refused": 0.27}


async def test_real_questions_stay_above_the_floors(agent: Any) -> None:
    emergencies = [
        i for i in load_items(ROOT / "knowledge/real_questions/train.yml") if i.kind == "emergency"
    ]
    sample = load_items(REAL / "guard.yml") + emergencies
    outcomes = []
    for number, item in enumerate(sample):
        kind, topic = classify(await agent.handle_text(item.text, sender_id=f"guard-{number}"))
        outcomes.append(Outcome(item, kind, topic))
    report = score(outcomes)
    print(f"guard: {len(sample)} questions; " + "; ".join(summary_lines(report)[1:]))  # shown with -s
    misses = [
        (o.item.text, o.item.kind, o.item.topic, o.kind, o.topic) for o in outcomes if o.kind != o.item.kind
    ]
    assert report.emergency_recall >= FLOORS["emergency_recall"], misses
    assert report.behaviour_accuracy >= FLOORS["behaviour_accuracy"], misses
    assert report.topic_accuracy >= FLOORS["topic_accuracy"], report.confusions
    assert report.emergency_false_alarms <= CEILINGS["emergency_false_alarms"], misses
    assert report.in_scope_refused <= CEILINGS["in_scope_refused"], misses
