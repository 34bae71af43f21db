"""`bot laws diff`: the articles that changed between two versions of a law, and the entries that cite them."""

from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge.entries import Citation, Entry
from bot.knowledge.law_diff import affected_entries, diff_law, diff_statutes, load_side, report
from bot.knowledge.statutes import StatuteIndex, parse_law
from tests.paths import KNOWLEDGE

HERE = Path(__file__).parent
VERSIONS = HERE / "law_versions"


def _entry(entry_id: str, *cites: Citation) -> Entry:
    return Entry(
        entry_id, "neighbor", ("general",), "问", (), "答", "简", cites, ("mediation",), source_file="x.yml"
    )


def test_the_fixture_pair_lists_each_kind_of_change() -> None:
    diffs = diff_statutes(load_side(VERSIONS / "old"), load_side(VERSIONS / "new"))
    assert [d.name for d in diffs] == ["示例法"]
    changes = {c.article: c for c in diffs[0].changes}
    assert "第一条" not in changes  # same text, same number
    assert changes["第二条"].kind == "changed" and changes["第二条"].now is None  # amended in place
    assert (changes["第三条"].kind, changes["第三条"].now, changes["第三条"].similarity) == (
        "changed",
        "第四条",
        1.0,
    )
    assert changes["第四条"].now == "第五条"
    assert changes["第五条"].kind == "added"


def test_entries_citing_a_changed_article_are_listed_and_others_not() -> None:
    diffs = diff_statutes(load_side(VERSIONS / "old"), load_side(VERSIONS / "new"))
    entries = [
        _entry("neighbor.901", Citation("示例法", "第三条")),
        _entry("neighbor.902", Citation("示例法", "第一条")),
        _entry("neighbor.903", Citation("民法典", "第二百八十八条"), Citation("示例法", "第二条")),
    ]
    found = affected_entries(diffs, entries)
    assert [(a.entry.id, a.article) for a in found] == [
        ("neighbor.901", "第三条"),
        ("neighbor.903", "第二条"),
    ]
    text = "\n".join(report(diffs, found))
    assert "neighbor.901" in text and "text now mostly under 第四条" in text and "neighbor.902" not in text


def test_the_real_2012_to_2025_change_of_the_public_security_law() -> None:
    old = parse_law(HERE / "laws_2012" / "治安管理处罚法.md")
    new = StatuteIndex.load(KNOWLEDGE / "laws").laws["治安管理处罚法"]
    diff = diff_law("治安管理处罚法", old, new)
    changes = {c.article: c for c in diff.changes}
    assert len(old.articles) == 119 and len(new.articles) == 144
    assert changes["第四十三条"].now == "第五十一条"  # 殴打他人 was renumbered
    assert changes["第一百四十四条"].kind == "added"
    # An entry that still cites the 2012 number for 殴打他人 is listed with where the text went.
    stale = _entry("neighbor.904", Citation("治安管理处罚法", "第四十三条"))
    (found,) = affected_entries([diff], [stale])
    assert found.change.now == "第五十一条"


def test_an_old_text_past_its_date_is_refused_for_citing() -> None:
    old = parse_law(HERE / "laws_2012" / "治安管理处罚法.md")
    import datetime as dt

    assert "no longer in force" in str(old.in_force_problem("第四十三条", None, dt.date(2026, 12, 7)))


@pytest.mark.parametrize("args", [["laws", "diff"], ["laws", "diff", "/nonexistent/laws"]])
def test_the_command_refuses_without_a_usable_old_version(
    args: list[str], capsys: pytest.CaptureFixture
) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err


def test_the_command_compares_one_file_with_the_current_law(capsys: pytest.CaptureFixture) -> None:
    assert main(["laws", "diff", str(HERE / "laws_2012" / "治安管理处罚法.md")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("治安管理处罚法: 2012-10-26") and "第四十三条 → now mostly 第五十一条" in out
    assert "民法典" not in out  # only the law that was given


def test_renumbering_is_not_confused_by_identical_front_matter(tmp_path: Path) -> None:
    law = parse_law(VERSIONS / "new" / "示例法.md")
    assert diff_law("示例法", law, replace(law, label="另一个标签")).changes == ()
