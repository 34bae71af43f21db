"""Retrieval (the production retriever, as the action server builds it) picks the entry for the question, the
asker's audience and the last question."""

import pytest

from bot.legal.retrieval import Retriever, paired_topic, sounds


def test_each_canonical_question_finds_its_own_entry(retriever: Retriever, catalog) -> None:
    for entry in catalog.entries:
        audience = entry.audiences[0]
        match = retriever.match(entry.question, audience)
        assert match is not None, entry.id
        assert match.entry.topic == entry.topic, (entry.id, match.entry.id)


def test_audience_picks_the_twin_entry(retriever: Retriever, catalog) -> None:
    fraud = [e for e in catalog.entries if e.topic == "telecom_fraud"]
    youth = next(e for e in fraud if "youth" in e.audiences)
    match = retriever.match(youth.question, "youth")
    assert match is not None and "youth" in match.entry.audiences


def test_nonsense_is_not_answered(retriever: Retriever) -> None:
    assert retriever.match("🙂🙂🙂") is None
    assert retriever.match("") is None
    assert retriever.match("<script>alert(1)</script>") is None


@pytest.mark.parametrize(
    ("first", "follow", "audience", "expected_question_words"),
    [
        ("我儿子不给我赡养费怎么办", "那如果是孙子呢", "elderly", "孙子"),
        pytest.param(
            "朋友借了我两万块不还",
            "要是没有欠条呢",
            "general",
            "借条",
            marks=pytest.mark.xfail(
                strict=True,
                reason="known miss of the production retriever (it passed only on a bare Retriever(entries)): "
                "debt.004 (limitation periods) has paraphrases with 没有 and 借条 and beats debt.002 (no IOU)",
            ),
        ),
        ("老板拖欠工资怎么办", "那如果是暑假工呢", "general", "暑假工"),
    ],
)
def test_follow_up_is_read_with_the_last_question(
    retriever: Retriever, first: str, follow: str, audience: str, expected_question_words: str
) -> None:
    before = retriever.match(first, audience)
    assert before is not None
    after = retriever.match_in_context(follow, before.query, before.entry.topic, audience)
    assert after is not None and after.entry.id != before.entry.id
    assert expected_question_words in after.entry.question
    assert after.query == f"{first} {follow}"


def test_a_full_question_is_not_treated_as_a_follow_up(retriever: Retriever) -> None:
    alone = retriever.match("邻居家漏水把我家泡了不肯赔怎么办", "general")
    in_context = retriever.match_in_context(
        "邻居家漏水把我家泡了不肯赔怎么办", "子女不给赡养费怎么办", "elder_support", "general"
    )
    assert alone is not None and in_context is not None and alone.entry.id == in_context.entry.id


@pytest.mark.parametrize(
    ("winner", "about", "expected"),
    [
        ("elder_fraud", {"general"}, "telecom_fraud"),  # close votes, nothing says an old person is involved
        ("elder_fraud", {"general", "elderly"}, "elder_fraud"),  # e.g. a daughter asking about her mother
        ("telecom_fraud", {"elderly"}, "elder_fraud"),
        ("telecom_fraud", {"youth"}, "telecom_fraud"),
        ("child_labor", {"general"}, "labor"),
        ("labor", {"general", "youth"}, "child_labor"),  # a parent asking about a 15-year-old
    ],
)
def test_close_paired_topics_go_by_whom_the_question_is_about(
    winner: str, about: set, expected: str, catalog
) -> None:
    votes = {"elder_fraud": 1.0, "telecom_fraud": 0.9, "child_labor": 1.0, "labor": 0.9}
    votes[winner] = 1.0
    assert paired_topic(winner, votes, about, catalog.topics.twins) == expected


def test_a_clear_winner_is_kept_whoever_asks(catalog) -> None:
    votes = {"elder_fraud": 1.0, "telecom_fraud": 0.2}
    twins = catalog.topics.twins
    assert paired_topic("elder_fraud", votes, {"general"}, twins) == "elder_fraud"
    assert paired_topic("neighbor", {"neighbor": 1.0}, {"elderly"}, twins) == "neighbor"


def test_who_a_question_is_about(catalog) -> None:
    from bot.legal.audience import AudienceRules

    rules = AudienceRules.load(catalog.knowledge)
    assert rules.about("我妈被人骗去买保健品") == {"elderly"}
    assert rules.about("我个仔15岁去厂里打工") == {"youth"}
    assert rules.about("公司拖欠工资") == frozenset()


def test_homophone_typos_sound_like_the_word_meant() -> None:
    assert sounds("陪偿") == sounds("赔偿") and sounds("遗竹") == sounds("遗嘱")
    assert sounds("赔偿") == ["pei", "chang", "pei chang"]
    assert (
        sounds("🙂 ok") == [] and sounds("") == []
    )  # only Chinese has a sound; the other views keep the rest


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("遗竹怎么写才有效", "遗嘱怎么写才有效"),
        ("离昏财产点分", "离婚财产点分"),
        ("公伤点认定", "工伤点认定"),
    ],
)
def test_a_homophone_typo_finds_the_entry_the_word_meant(retriever: Retriever, typo: str, meant: str) -> None:
    found, wanted = retriever.match(typo, "general"), retriever.match(meant, "general")
    assert found is not None and wanted is not None and found.entry.id == wanted.entry.id


def test_a_message_breaks_into_the_clauses_that_ask(retriever: Retriever) -> None:
    from bot import services
    from bot.legal.two_questions import second_question

    parts = services.question_parts()
    text = "公司拖欠了我三个月工资怎么办？还有我在上班路上摔伤了算不算工伤？"
    assert parts.clauses(text) == ["公司拖欠了我三个月工资怎么办", "我在上班路上摔伤了算不算工伤"]
    assert parts.clauses("老板不给工资。我在工地干了三个月。") == []  # a story, no question
    main = retriever.match(text, "general")
    assert main is not None
    second = second_question(retriever, parts, text, main.entry, "general")
    assert second is not None and second.id != main.entry.id and "工伤" in second.question


@pytest.mark.parametrize(
    ("question", "outside"),
    [
        ("公司股东之间股权转让要交多少个人所得税", True),
        ("我开的公司被人告商标侵权，要赔多少钱", True),
        ("老板拖欠了我三个月工资怎么办", False),
        ("子女不给赡养费怎么办", False),
    ],
)
def test_the_scope_classifier_learnt_what_needs_a_lawyer(
    retriever: Retriever, question: str, outside: bool
) -> None:
    assert (retriever.outside_probability(question) >= 0.5) == outside
