"""Pure rendering for WeChat: joined texts, numbered choices, citation lines, and byte-limited parts."""

from __future__ import annotations

import pytest
import yaml

from bot.channels.wechat.render import (
    MAX_BYTES,
    Rendered,
    Texts,
    choice_payload,
    citation_refs,
    render,
    split_text,
    utf8_len,
)
from tests.paths import ROOT

TEXTS = Texts.from_messages(yaml.safe_load((ROOT / "knowledge" / "messages.yml").read_text(encoding="utf-8")))
CITED = {
    "kind": "answer",
    "citations": [
        {"law": "民法典", "article": "第一千零六十七条", "text": "成年子女不履行赡养义务的，……"},
        {"law": "老年人权益保障法", "article": "第十四条", "text": "赡养人应当履行……"},
    ],
}


def test_texts_are_joined_with_blank_lines() -> None:
    rendered = render([{"text": "您好！"}, {"text": "请问您是？"}], TEXTS)
    assert rendered == Rendered("您好！\n\n请问您是？", ())


def test_buttons_become_numbered_options_and_remember_payloads() -> None:
    buttons = [{"title": "同意", "payload": "/affirm"}, {"title": "不同意", "payload": "/deny"}]
    rendered = render([{"text": "您同意吗？", "buttons": buttons}], TEXTS)
    assert rendered.text == "您同意吗？\n\n回复数字选择：\n1. 同意\n2. 不同意"
    assert rendered.payloads == ("/affirm", "/deny")


def test_numbering_continues_across_messages_of_one_turn() -> None:
    first = {"text": "甲", "buttons": [{"title": "A", "payload": "/a"}]}
    second = {"text": "乙", "buttons": [{"title": "B", "payload": "/b"}, {"title": "C", "payload": "/c"}]}
    rendered = render([first, second], TEXTS)
    assert "1. A" in rendered.text and "2. B" in rendered.text and "3. C" in rendered.text
    assert rendered.payloads == ("/a", "/b", "/c")


def test_citations_show_law_and_article_only() -> None:
    rendered = render([{"text": "子女有赡养义务。"}, {"custom": CITED}], TEXTS)
    assert (
        rendered.text
        == "子女有赡养义务。\n\n法律依据：《民法典》第一千零六十七条；《老年人权益保障法》第十四条"
    )
    assert "成年子女不履行" not in rendered.text  # the quote waits for 看法条原文


def test_citations_already_in_the_text_are_not_repeated() -> None:
    answer = "子女有赡养义务。\n\n法律依据：《民法典》第一千零六十七条；《老年人权益保障法》第十四条"
    rendered = render([{"text": answer}, {"custom": CITED}], TEXTS)
    assert rendered.text.count("第一千零六十七条") == 1 and rendered.text == answer


def test_custom_payloads_without_citations_add_nothing() -> None:
    assert render([{"text": "好的"}, {"custom": {"kind": "chitchat"}}], TEXTS).text == "好的"
    assert citation_refs(None) == [] and citation_refs({"citations": [{"law": "民法典"}]}) == []


def test_short_text_is_one_part() -> None:
    assert split_text("  你好  ") == ["你好"]
    assert split_text("   ") == []


def test_long_text_splits_at_line_boundaries_within_the_byte_limit() -> None:
    lines = [f"第{i}行：" + "调解免费、自愿。" * 12 for i in range(40)]  # about 12,000 bytes
    parts = split_text("\n".join(lines))
    assert len(parts) > 1
    assert all(utf8_len(p) <= MAX_BYTES for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines  # no line cut, none lost, order kept


def test_paragraphs_are_preferred_over_lines() -> None:
    para = "\n".join(["一二三四五六七八九十"] * 10)  # 329 bytes
    parts = split_text("\n\n".join([para] * 4), limit=700)
    assert parts == ["\n\n".join([para] * 2)] * 2


def test_a_single_long_line_splits_at_sentence_ends() -> None:
    sentence = "这是一句完整的话，说明调解的流程。"
    parts = split_text(sentence * 200)
    assert len(parts) > 1 and all(utf8_len(p) <= MAX_BYTES for p in parts)
    assert all(p.endswith("。") for p in parts) and "".join(parts) == sentence * 200


def test_text_without_any_boundary_is_cut_between_characters() -> None:
    parts = split_text("法" * 1000, limit=100)  # 3 bytes each
    assert [len(p) for p in parts] == [33] * 30 + [10]
    assert "".join(parts) == "法" * 1000


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("1", "/affirm"),
        ("2", "/deny"),
        (" 2 ", "/deny"),
        ("２", "/deny"),
        ("1。", "/affirm"),
        ("3", None),
        ("0", None),
        ("12345", None),
        ("1 和 2", None),
        ("同意", None),
    ],
)
def test_numeric_reply_maps_to_the_payload(reply: str, expected: str | None) -> None:
    assert choice_payload(reply, ("/affirm", "/deny")) == expected


def test_numeric_reply_without_options_is_plain_text() -> None:
    assert choice_payload("1", ()) is None


def test_citations_are_named_as_the_answer_names_them() -> None:
    custom = {
        "citations": [
            {
                "law": "治安管理处罚法",
                "article": "第六十条",
                "cited_as": "《治安管理处罚法》（2025年修订）第六十条",
            },
            {"law": "民法典", "article": "第一千零六十七条"},  # a payload from before cited_as
        ]
    }
    assert citation_refs(custom) == ["《治安管理处罚法》（2025年修订）第六十条", "《民法典》第一千零六十七条"]


def test_a_grouped_citation_line_is_not_repeated() -> None:
    answer = (
        "不执行拘留。\n\n法律依据：《治安管理处罚法》（2025年修订）第八十四条、第二十三条；《刑法》第十七条"
    )
    custom = {
        "citations": [
            {"cited_as": "《治安管理处罚法》（2025年修订）第八十四条"},
            {"cited_as": "《治安管理处罚法》（2025年修订）第二十三条"},
            {"cited_as": "《刑法》第十七条"},
            {"cited_as": "《最高人民法院关于适用《中华人民共和国民法典》婚姻家庭编的解释（一）》第五条"},
        ]
    }
    rendered = render([{"text": answer}, {"custom": custom}], TEXTS)
    assert rendered.text.count("第二十三条") == 1
    assert rendered.text.endswith(
        "法律依据：《最高人民法院关于适用《中华人民共和国民法典》婚姻家庭编的解释（一）》第五条"
    )
