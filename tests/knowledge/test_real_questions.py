"""The real citizens' questions: labels that fit the knowledge base, splits that never share a question, and no
development, guard or test question among what trains the assistant."""

import yaml

from bot.knowledge.entries import normalize
from bot.ops.build import REAL_OUT_OF_SCOPE, real_examples
from tests.paths import ROOT

REAL = ROOT / "tests" / "eval" / "real"
KINDS = {"answer", "out_of_scope", "emergency", "mediation", "fallback"}
# Entry questions written before the real questions came into the project that a citizen happened to ask word for word.
BEFORE_REAL_QUESTIONS = {"行政复议要在多长时间内申请"}  # admin_review.002 (written 2026-11-29)


def _split(name: str) -> list[dict]:
    return yaml.safe_load((REAL / f"{name}.yml").read_text(encoding="utf-8"))["questions"]


def test_the_training_split_fits_the_knowledge_base(catalog) -> None:
    questions = catalog.real_questions
    assert len(questions) > 4000
    for q in questions:
        assert q.kind in KINDS, q.id
        assert (q.topic is not None) == (q.kind == "answer") or q.kind in ("emergency", "mediation"), q.id
        assert q.topic is None or q.topic in catalog.topics.codes, q.id
        assert q.entry is None or q.entry in catalog.entries_by_id, q.id
        assert q.audience in catalog.topics.audiences, q.id


def test_splits_share_no_question() -> None:
    ids: dict[str, str] = {}
    texts: dict[str, str] = {}
    splits = {name: _split(name) for name in ("dev", "guard", "test")}
    splits["train"] = yaml.safe_load((ROOT / "knowledge/real_questions/train.yml").read_text("utf-8"))[
        "questions"
    ]
    for name, questions in splits.items():
        for q in questions:
            assert q["id"] not in ids, (q["id"], ids.get(q["id"]), name)
            ids[q["id"]] = name
            texts.setdefault(normalize(q["text"]), name)
    assert len(ids) == 7676
    assert len(splits["test"]) >= 800


def test_nothing_that_trains_the_assistant_is_a_development_guard_or_test_question(catalog) -> None:
    held_back = {normalize(q["text"]) for name in ("dev", "guard", "test") for q in _split(name)}
    held_back |= {
        normalize(q["text"])
        for q in yaml.safe_load((ROOT / "tests/eval/questions.yml").read_text("utf-8"))["questions"]
    }
    taught = {normalize(q.text) for q in catalog.teaching_questions}
    taught |= {normalize(text) for entry in catalog.entries for text in entry.questions}
    assert taught & held_back == BEFORE_REAL_QUESTIONS
    assert not {normalize(text) for text in catalog.outside_questions} & held_back


def test_real_examples_for_the_intent_model(catalog) -> None:
    examples = real_examples(catalog, set())
    out_of_scope = {normalize(q.text) for q in catalog.real_questions if q.kind == "out_of_scope"}
    assert 0.7 * REAL_OUT_OF_SCOPE <= len(examples["out_of_scope"]) <= REAL_OUT_OF_SCOPE
    assert all(normalize(text) in out_of_scope for text in examples["out_of_scope"])
    assert len(examples["emergency"]) == sum(q.kind == "emergency" for q in catalog.real_questions)
