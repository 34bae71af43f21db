"""Review records and stale entries; entries of different audiences that answer one question on other articles."""

from pathlib import Path

from bot.knowledge.entries import Citation, Entry, Review, load_entries
from bot.knowledge.review import citation_differences, stale_entries, unconfirmed_differences
from bot.knowledge.statutes import StatuteIndex
from bot.knowledge.topics import Topics
from tests.paths import KNOWLEDGE

STATUTES = StatuteIndex.load(KNOWLEDGE / "laws")
TOPICS = Topics.load(KNOWLEDGE)


def _entry(
    entry_id: str, audiences: tuple[str, ...], questions: list[str], *cites: Citation, **extra: object
) -> Entry:
    topic = entry_id.split(".")[0]
    return Entry(
        entry_id,
        topic,
        audiences,
        questions[0],
        tuple(questions[1:]),
        "答",
        "简",
        cites,
        ("mediation",),
        source_file=f"{topic}.yml",
        **extra,  # type: ignore[arg-type]
    )


CIVIL = Citation("民法典", "第一千零六十七条")
SECURITY = Citation("治安管理处罚法", "第五十一条")


def test_an_entry_is_stale_until_reviewed_against_every_current_version() -> None:
    never = _entry("elder_support.901", ("elderly",), ["问"], CIVIL)
    current = _entry(
        "elder_support.902",
        ("elderly",),
        ["问"],
        CIVIL,
        SECURITY,
        reviewed=Review("2026-12", (("民法典", "2020-05-28"), ("治安管理处罚法", "2025-06-27"))),
    )
    old = _entry(
        "elder_support.903",
        ("elderly",),
        ["问"],
        CIVIL,
        SECURITY,
        reviewed=Review("2025-03", (("民法典", "2020-05-28"), ("治安管理处罚法", "2012-10-26"))),
    )
    partial = _entry(
        "elder_support.904",
        ("elderly",),
        ["问"],
        CIVIL,
        SECURITY,
        reviewed=Review("2026-12", (("民法典", "2020-05-28"),)),
    )
    stale = {s.entry.id: s.reasons for s in stale_entries([never, current, old, partial], STATUTES)}
    assert stale == {
        "elder_support.901": ("never reviewed",),
        "elder_support.903": ("治安管理处罚法 checked against 2012-10-26, now 2025-06-27",),
        "elder_support.904": ("治安管理处罚法 not checked",),
    }


def test_same_question_for_two_audiences_with_other_articles_is_flagged(tmp_path: Path) -> None:
    questions = ["刚被骗转账了，现在该怎么办", "被骗了钱转出去了怎么追回", "转账给骗子了怎么办"]
    elderly = _entry(
        "elder_fraud.901",
        ("elderly",),
        [*questions, "老人被骗转账了怎么办"],
        Citation("反电信网络诈骗法", "第一条"),
    )
    general = _entry("telecom_fraud.901", ("general",), questions, Citation("刑法", "第二百六十六条"))
    agreeing = _entry("telecom_fraud.902", ("general",), questions, Citation("反电信网络诈骗法", "第一条"))
    unrelated = _entry("neighbor.901", ("general",), questions, Citation("刑法", "第二百六十六条"))
    youth = _entry("elder_fraud.902", ("youth", "elderly"), questions, Citation("刑法", "第一条"))
    found = citation_differences([elderly, general, agreeing, unrelated, youth], TOPICS)
    assert [d.key for d in found] == [
        ("elder_fraud.901", "telecom_fraud.901"),
        ("elder_fraud.902", "telecom_fraud.901"),
        ("elder_fraud.902", "telecom_fraud.902"),  # one of its audiences is not the other's
    ]
    confirmed = tmp_path / "legal" / "citation_differences.yml"
    confirmed.parent.mkdir()
    confirmed.write_text(
        "confirmed:\n  - entries: [telecom_fraud.901, elder_fraud.901]\n    reason: 测试\n", encoding="utf-8"
    )
    waiting = unconfirmed_differences([elderly, general, youth], TOPICS, tmp_path)
    assert [d.key for d in waiting] == [("elder_fraud.902", "telecom_fraud.901")]  # the confirmed pair is not


def test_the_knowledge_base_has_no_unconfirmed_difference() -> None:
    entries = load_entries(KNOWLEDGE / "qa")
    assert [d.key for d in unconfirmed_differences(entries, TOPICS, KNOWLEDGE)] == []
