"""Who is asking is inferred from what they say; a parent asking about a child is 'general'."""

import pytest

from bot.legal.audience import AudienceRules
from tests.paths import KNOWLEDGE

RULES = AudienceRules.load(KNOWLEDGE)


@pytest.mark.parametrize(
    ("text", "audience"),
    [
        ("我今年72了", "elderly"),
        ("我七十多岁了，儿子不养我", "elderly"),
        ("我已经八十了", "elderly"),
        ("我读初二", "youth"),
        ("我15岁，可以打暑假工吗", "youth"),
        ("同学天天欺负我", "youth"),
        ("我孩子在学校被打了", "general"),
        ("我35岁，公司不给加班费", "general"),
        ("我今年初二，被同学打了", "youth"),
        ("本人今年初三，暑假想去打工", "youth"),
        ("我是高二学生，网上被骗了", "youth"),
        ("读高一，兼职老板不给钱", "youth"),
        ("我七十多了，儿子不管我", "elderly"),
        ("我孙子在学校被欺负", "elderly"),
        ("我已经退休好几年了，养老金少发了", "elderly"),
        ("我儿子读高二，被同学打了", "general"),  # a parent asking about a child
        ("我们公司高一层的领导", None),
        ("老板不给工资", None),
    ],
)
def test_infer(text: str, audience: str | None) -> None:
    assert RULES.infer(text) == audience


def test_stated_age_ignores_non_ages() -> None:
    assert RULES.stated_age("我72岁") == 72
    assert RULES.stated_age("我七十多岁") == 70
    assert RULES.stated_age("借了3000块") is None
    assert RULES.stated_age("我200岁了") is None
