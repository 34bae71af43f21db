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
