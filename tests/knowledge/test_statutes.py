"""The statute index reads knowledge/laws exactly and refuses what does not exist."""

import datetime as dt
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


def test_the_current_texts_replace_the_outdated_ones(index: StatuteIndex) -> None:
    security = index.laws["治安管理处罚法"]
    assert len(security.articles) == 144 and security.effective == dt.date(2026, 1, 1)
    bullying = index.get("治安管理处罚法", "第六十条")
    assert bullying is not None and "欺凌" in bullying.text
    assert len(index.laws["网络安全法"].articles) == 81
    assert index.laws["网络安全法"].version == dt.date(2025, 10, 28)


def test_every_file_records_its_version_and_effective_date(index: StatuteIndex) -> None:
    for law in index.laws.values():
        assert law.version is not None and law.effective is not None, law.name
        assert law.version <= law.effective or law.label, law.name


@pytest.mark.parametrize(
    ("law", "article", "paragraph", "shown"),
    [
        ("民法典", "第一千零六十七条", None, "《民法典》第一千零六十七条"),
        ("治安管理处罚法", "第六十条", None, "《治安管理处罚法》（2025年修订）第六十条"),
        (
            "劳动争议解释一",
            "第三十二条",
            2,
            "《最高人民法院关于审理劳动争议案件适用法律问题的解释（一）》第三十二条第二款",
        ),
        (
            "人身损害赔偿解释",
            "第六条",
            None,
            "《最高人民法院关于审理人身损害赔偿案件适用法律若干问题的解释》（2022年修正）第六条",
        ),
    ],
)
def test_citations_name_the_version_and_an_interpretation_by_its_title(
    index: StatuteIndex, law: str, article: str, paragraph: int | None, shown: str
) -> None:
    assert index.cited_as(law, article, paragraph) == shown


def test_front_matter_is_read_and_not_taken_for_text(tmp_path: Path) -> None:
    path = tmp_path / "示例解释.md"
    path.write_text(
        "---\nkind: interpretation\nversion: 2025-01-15\neffective: 2025-02-01\nlabel: 2025年修正\n"
        "repealed:\n  - {article: 第一条, paragraph: 2, from: 2026-01-01, by: 新解释 第九条}\n---\n"
        "# 最高人民法院关于示例的解释\n\n第一条 第一款。\n第二款。\n",
        encoding="utf-8",
    )
    law = parse_law(path)
    assert law.title == "最高人民法院关于示例的解释" and law.kind == "interpretation"
    assert [a.text for a in law.articles] == ["第一款。\n第二款。"]
    assert law.in_force_problem("第一条", 1, dt.date(2026, 6, 1)) is None
    assert "repealed since 2026-01-01 by 新解释 第九条" in str(
        law.in_force_problem("第一条", 2, dt.date(2026, 6, 1))
    )
    assert law.in_force_problem("第一条", 2, dt.date(2025, 12, 31)) is None
    assert "not yet in force" in str(law.in_force_problem("第一条", None, dt.date(2025, 1, 31)))


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
