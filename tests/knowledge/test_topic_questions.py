"""Topic questions are valid, never copied from the held-out set, and teach the retriever their topic."""

from pathlib import Path

import pytest
import yaml

from bot.knowledge.entries import normalize
from bot.knowledge.topic_questions import TopicQuestion, load_topic_questions, validate_topic_questions
from bot.legal.retrieval import Retriever
from tests.paths import KNOWLEDGE, ROOT

FOLDER = KNOWLEDGE / "topic_questions"
MIN_PER_TOPIC = 40


@pytest.fixture(scope="module")
def questions() -> list[TopicQuestion]:
    return load_topic_questions(FOLDER)


def test_topic_questions_are_valid(questions: list[TopicQuestion], catalog) -> None:
    known = [text for entry in catalog.entries for text in entry.questions]
    assert validate_topic_questions(questions, FOLDER, catalog.topics.codes, known) == []


def test_every_topic_has_questions(questions: list[TopicQuestion], catalog) -> None:
    counts = {topic: sum(q.topic == topic for q in questions) for topic in catalog.topics.codes}
    assert {t: n for t, n in counts.items() if n < MIN_PER_TOPIC} == {}


def test_no_held_out_question_was_copied(questions: list[TopicQuestion]) -> None:
    held_out = yaml.safe_load((ROOT / "tests/eval/questions.yml").read_text(encoding="utf-8"))["questions"]
    copied = {normalize(q["text"]) for q in held_out} & {normalize(q.text) for q in questions}
    assert copied == set()


def test_validation_catches_bad_files(tmp_path: Path) -> None:
    (tmp_path / "labor.yml").write_text("topic: labor\nquestions:\n  - 欠薪点算\n  - 欠薪，点算？\n", "utf-8")
    (tmp_path / "debt.yml").write_text("topic: pension\nquestions:\n  - 借钱不还\n  - ''\n", "utf-8")
    (tmp_path / "tax.yml").write_text("topic: tax\nquestions:\n  - 个税怎么报\n", "utf-8")
    topics = ["labor", "debt", "pension"]
    problems = validate_topic_questions(load_topic_questions(tmp_path), tmp_path, topics, ["借钱不还！"])
    assert any("debt.yml: topic must be 'debt'" in p for p in problems)
    assert any("unknown topic 'tax'" in p for p in problems)
    assert any("an empty question" in p for p in problems)
    assert any("'借钱不还' (pension) is already an entry's question" in p for p in problems)
    assert any("'欠薪，点算？' is in labor and labor" in p for p in problems)
    assert load_topic_questions(tmp_path / "absent") == []


def test_examples_vote_for_their_topic_but_are_never_an_answer(catalog) -> None:
    text = "嗰个叫乜嘢嘅卡唔见咗，每个月嘅钱点样攞"  # a made-up way of asking about one's pension card
    examples = [TopicQuestion(text, "pension"), TopicQuestion(f"{text}，点算", "pension")]
    entries = [e for e in catalog.entries if e.topic in ("pension", "elder_support", "labor")]
    plain = Retriever(entries)
    taught = Retriever(entries, examples=examples)
    scores = taught.topic_scores(text, taught.question_scores(text))
    assert max(scores, key=scores.__getitem__) == "pension"
    assert scores["pension"] > plain.topic_scores(text, plain.question_scores(text)).get("pension", 0.0)
    match = taught.match(text, "elderly")
    assert match is None or match.entry.topic == "pension"
    assert len(taught.scores(text)) == len(entries)
