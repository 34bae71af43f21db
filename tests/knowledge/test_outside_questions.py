"""The written questions that need a lawyer (knowledge/legal/outside_questions.yml): none is an evaluation question,
and none is a question the knowledge base answers."""

import yaml

from bot.knowledge.entries import normalize
from tests.paths import ROOT

EVAL = ROOT / "tests" / "eval"


def _evaluation_questions() -> set[str]:
    found = set()
    for path in [*EVAL.glob("*.yml"), *(EVAL / "real").glob("*.yml")]:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found |= {normalize(q["text"]) for q in data.get("questions") or () if "text" in q}
    return found


def test_no_outside_question_is_an_evaluation_question(catalog) -> None:
    outside = {normalize(text) for text in catalog.outside_questions}
    assert len(outside) > 600
    assert not outside & _evaluation_questions()


def test_no_outside_question_is_answered_by_an_entry(catalog) -> None:
    outside = {normalize(text) for text in catalog.outside_questions}
    answered = {normalize(text) for entry in catalog.entries for text in entry.questions}
    answered |= {normalize(q.text) for q in catalog.teaching_questions}
    assert not outside & answered
