"""The knowledge base passes every content rule; the rules themselves catch bad entries."""

import datetime as dt
from dataclasses import replace

import pytest

from bot.knowledge.entries import Citation, Entry, Review, load_entries, load_next_steps, quotes, validate
from bot.knowledge.statutes import StatuteIndex
from bot.knowledge.topics import Topics
from tests.paths import KNOWLEDGE

TOPICS = Topics.load(KNOWLEDGE)


@pytest.fixture(scope="module")
def statutes() -> StatuteIndex:
    return StatuteIndex.load(KNOWLEDGE / "laws")


@pytest.fixture(scope="module")
def codes() -> set[str]:
    return set(load_next_steps(KNOWLEDGE))


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return load_entries(KNOWLEDGE / "qa")


def test_knowledge_base_is_valid(entries: list[Entry], statutes: StatuteIndex, codes: set[str]) -> None:
    assert validate(entries, statutes, codes, TOPICS) == []


def test_knowledge_base_covers_every_topic_and_audience(entries: list[Entry]) -> None:
    assert {e.topic for e in entries} == set(TOPICS.codes)
    assert len(entries) >= 240
    assert sum("youth" in e.audiences for e in entries) >= 60
    assert sum("elderly" in e.audiences for e in entries) >= 60
    assert {e.topic for e in entries if "youth" in e.audiences} >= set(TOPICS.for_audience("youth"))
    assert {e.topic for e in entries if "elderly" in e.audiences} >= set(TOPICS.for_audience("elderly"))


def _entry(**changes: object) -> Entry:
    base = {
        "id": "elder_support.901",
        "topic": "elder_support",
        "audiences": ("elderly",),
        "question": "子女不给赡养费怎么办",
        "paraphrases": tuple(f"示例问法{i}" for i in range(10)),
        "answer": "子女有赡养父母的义务。" * 4,
        "simple": "子女必须赡养父母，不给钱可以找村委会调解或起诉。",
        "citations": (Citation("民法典", "第一千零六十七条"),),
        "next_steps": ("mediation",),
        "source_file": "elder_support.yml",
    }
    base.update(changes)
    return Entry(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"citations": (Citation("民法典", "第一千三百条"),)}, "does not exist"),
        ({"citations": (Citation("劳动争议解释一", "第三十二条", 1),)}, "repealed since 2025-09-01"),
        ({"citations": (Citation("劳动争议解释一", "第三十二条"),)}, "cite the paragraph still in force"),
        ({"citations": (Citation("民法典", "第一千零六十七条", 4),)}, "has no paragraph 4"),
        ({"reviewed": Review("2026-13", ())}, "reviewed.on"),
        ({"reviewed": Review("2026-12", (("民法典", "2020"),))}, "version date"),
        ({"paraphrases": ("只有一条",)}, "paraphrases"),
        ({"answer": "太短"}, "answer has"),
        ({"answer": "长" * 351}, "answer has"),
        ({"simple": ""}, "simple has"),
        ({"simple": "短" * 101}, "simple has"),
        ({"audiences": ("children",)}, "audiences"),
        ({"topic": "tax"}, "unknown topic"),
        ({"next_steps": ("call_mum",)}, "next_steps"),
        ({"id": "elder_support-1"}, "id must be"),
    ],
)
def test_rules_reject_bad_entries(
    changes: dict, problem: str, statutes: StatuteIndex, codes: set[str]
) -> None:
    problems = validate([_entry(**changes)], statutes, codes, TOPICS)
    assert any(problem in p for p in problems), problems


def test_current_law_and_interpretations_may_be_cited(statutes: StatuteIndex, codes: set[str]) -> None:
    cites = (
        Citation("治安管理处罚法", "第六十条"),
        Citation("网络安全法", "第四十五条"),
        Citation("人身损害赔偿解释", "第六条"),
        Citation("劳动争议解释一", "第三十二条", 2),
    )
    assert validate([_entry(citations=cites)], statutes, codes, TOPICS) == []


def test_a_law_not_yet_or_no_longer_in_force_is_refused(statutes: StatuteIndex, codes: set[str]) -> None:
    entry = _entry(citations=(Citation("治安管理处罚法", "第六十条"),))
    before = validate([entry], statutes, codes, TOPICS, today=dt.date(2025, 12, 31))
    assert any("not yet in force (from 2026-01-01)" in p for p in before), before
    repealed = _entry(citations=(Citation("劳动争议解释一", "第三十二条", 1),))
    assert validate([repealed], statutes, codes, TOPICS, today=dt.date(2025, 8, 31)) == []
    old = replace(statutes.laws["民法典"], expires=dt.date(2026, 1, 1))
    expired = StatuteIndex({**statutes.laws, "民法典": old})
    assert any("no longer in force" in p for p in validate([_entry()], expired, codes, TOPICS))


def test_a_quoted_article_is_rejected(statutes: StatuteIndex, codes: set[str]) -> None:
    article = statutes.get("民法典", "第一千零六十七条")
    assert article is not None
    quoting = _entry(answer="法律规定：" + article.text)
    assert any("quotes" in p for p in validate([quoting], statutes, codes, TOPICS))
    assert quotes("父母不履行抚养义务的，未成年子女或者不能独立生活的成年子女", article.text)
    assert not quotes("父母不养孩子，孩子可以要抚养费。", article.text)


def test_shared_paraphrase_is_rejected(statutes: StatuteIndex, codes: set[str]) -> None:
    first = _entry()
    second = _entry(id="elder_support.902", question="另一个问题")
    problems = validate([first, second], statutes, codes, TOPICS)
    assert any("also belongs to" in p for p in problems)
