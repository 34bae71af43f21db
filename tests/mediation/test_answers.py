"""Typed answers to the intake's closed questions: yes or no in words, and option numbers."""

import pytest

from bot.mediation.answers import YesNoRules, option_number
from tests.paths import KNOWLEDGE


@pytest.fixture(scope="module")
def rules() -> YesNoRules:
    return YesNoRules.load(KNOWLEDGE)


@pytest.mark.parametrize(
    "typed",
    [
        "没有",
        "没",
        "还没",
        "无",
        "不是",
        "没报警",
        "没起诉",
        "没有呢",
        "还没呢",
        "都冇搞过",
        "我不想留电话",
        "先不要",
        "meiyou",
        "不同意",
    ],
)
def test_no_in_words(rules: YesNoRules, typed: str) -> None:
    assert rules.read(typed) is False


@pytest.mark.parametrize(
    "typed",
    [
        "有",
        "是的",
        "对",
        "已经起诉了",
        "申请了劳动仲裁",
        "打紧官司",
        "报咗警",
        "同意",
        "👌",
        "正确",
        "都对",
        "冇错",
        "没问题",
        "无误",
    ],
)
def test_yes_in_words(rules: YesNoRules, typed: str) -> None:
    assert rules.read(typed) is True


@pytest.mark.parametrize("typed", ["有没有用？", "不知道", "我不清楚", "要多久呢", "火星基地"])
def test_a_question_or_an_unsure_answer_is_neither(rules: YesNoRules, typed: str) -> None:
    assert rules.read(typed) is None


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1", 1),
        ("２", 2),
        ("（2）", 2),
        ("二", 2),
        ("10", 10),
        ("十一", 11),
        ("1同意", 1),
        ("1.没有", 1),
        ("11其他", 11),
        ("3 土地山林", 3),
        ("3个月前", None),  # a count, not an option
        ("2楼", None),
        ("139 2222 4444", None),
        ("0", None),
        ("", None),
    ],
)
def test_option_number(typed: str, number: int | None) -> None:
    assert option_number(typed) == number
