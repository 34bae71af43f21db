"""Cantonese words are folded into Mandarin before questions are compared (knowledge/dialect.yml)."""

from pathlib import Path

import pytest

from bot.knowledge.dialect import Dialect, simplified
from tests.paths import KNOWLEDGE


@pytest.fixture(scope="module")
def dialect() -> Dialect:
    return Dialect.load(KNOWLEDGE)


def test_cantonese_meets_mandarin(dialect: Dialect) -> None:
    assert dialect.fold("佢哋唔俾钱") == "他们不给钱"
    assert dialect.fold("系咪犯法") == "是不是犯法"
    assert dialect.fold("我俾人炒咗") == "我被辞退了"  # the longer word wins over 俾 → 给


def test_mandarin_words_that_share_a_character_are_left_alone(dialect: Dialect) -> None:
    for text in ("断绝关系", "食品安全", "劳动仲裁", "系统", "干部"):
        assert dialect.fold(text) == text


def test_every_word_is_cantonese_and_folds_to_something(dialect: Dialect) -> None:
    assert len(dialect.words) >= 40
    for word, mandarin in dialect.words.items():
        assert word and mandarin and word != mandarin
        # A Mandarin replacement must not itself be folded again into something else.
        assert dialect.fold(mandarin) == mandarin, word


def test_no_file_no_folding(tmp_path: Path) -> None:
    assert Dialect.load(tmp_path).fold("佢哋") == "佢哋"


def test_traditional_characters_are_read_as_simplified(dialect: Dialect) -> None:
    assert dialect.fold("買到假貨點維權") == "买到假货点维权"
    assert dialect.fold("結婚證唔見咗") == "结婚证不见了"
    assert simplified("乾淨的頭髮") == "干净的头发"
