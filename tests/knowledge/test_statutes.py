"""The statute index reads knowledge/laws exactly and refuses what does not exist."""

from pathlib import Path

import pytest

from bot.knowledge.statutes import StatuteIndex, chinese_to_int, int_to_chinese, parse_law
from tests.paths import KNOWLEDGE


@pytest.fixture(scope="module")
def index() -> StatuteIndex:
    return StatuteIndex.load(KNOWLEDGE / "laws")


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("一百零五", 105),
        ("一千零六十七", 1067),
        ("一千二百六十", 1260),
    ],
)
def test_numerals_round_trip(numeral: str, value: int) -> None:
    assert chinese_to_int(numeral) == value
    assert int_to_chinese(value) == numeral


def test_every_heading_round_trips(index: StatuteIndex) -> None:
    for law in index.laws.values():
        for article in law.articles:
            base = article.article[1:].split("条", 1)[0]
            assert int_to_chinese(chinese_to_int(base)) == base


def test_lookup_by_heading_and_number(index: StatuteIndex) -> None:
    by_heading = index.get("民法典", "第一千零六十七条")
    assert by_heading is not None and by_heading.text.startswith("父母不履行抚养义务的")
    assert index.get("民法典", 1067) == by_heading
    assert index.get("民法典", 1261) is None
    assert index.get("不存在的法", 1) is None


def test_outdated_laws_are_not_in_the_project(index: StatuteIndex) -> None:
    assert "治安管理处罚法" not in index.laws
    assert "网络安全法" not in index.laws


def test_article_numbers_run_without_gaps(index: StatuteIndex) -> None:
    for law in index.laws.values():
        plain = [a.number for a in law.articles if "之" not in a.article]
        assert plain == list(range(1, len(plain) + 1)), law.name


def test_parser_stops_at_headings_and_footnotes(tmp_path: Path) -> None:
    path = tmp_path / "示例法.md"
    path.write_text(
        "# 示例法\n\n<!-- INFO END -->\n\n## 第一章\n\n第一条 第一款。\n\n第二款。\n\n## 第二章\n\n"
        "第二条 只有一款。\n\n① 编者注，不属于条文。\n",
        encoding="utf-8",
    )
    law = parse_law(path)
    assert law.title == "示例法"
    assert [(a.article, a.text) for a in law.articles] == [
        ("第一条", "第一款。\n第二款。"),
        ("第二条", "只有一款。"),
    ]


def test_matches_the_shared_build_for_a_sample() -> None:
    """Spot-check against a line of the source articles.jsonl, copied here (tests never read ../shared)."""
    article = StatuteIndex.load(KNOWLEDGE / "laws").get("人民调解法", "第四条")
    assert article is not None and article.text == "人民调解委员会调解民间纠纷，不收取任何费用。"
