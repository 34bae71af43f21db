"""Who is asking is inferred from what they say; a parent asking about a child is 'general'."""

from pathlib import Path

import pytest

from bot.audience import AudienceRules, stated_age

RULES = AudienceRules.load(Path(__file__).resolve().parents[2] / "knowledge")


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
    assert stated_age("我72岁") == 72
    assert stated_age("借了3000块") is None
