"""Citizens' text is cleaned of what no one types before it reaches the bot, and nothing else is changed."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.textinput import clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  你好  ", "你好"),
        ("\x00你\x07好\x1b[31m", "你好[31m"),
        ("第一行\r\n第二行\r第三行\u2028第四行", "第一行\n第二行\n第三行\n第四行"),
        ("欠\t工资", "欠 工资"),
        ("\ud800赡养\udfff费", "赡养费"),  # lone surrogates cannot be stored or sent as UTF-8
        ("\u202e调解\u202c申请\u2066", "调解申请"),  # bidi overrides would reorder what the console shows
        ("\ufffe\uffff\ufdd0", ""),
        ("\x00\x01 \n\x7f", ""),
        ("👨\u200d👩\u200d👧 😀", "👨\u200d👩\u200d👧 😀"),  # emoji sequences keep their joiners
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # plain text, escaped where it is shown
        ("'; DROP TABLE referrals; --", "'; DROP TABLE referrals; --"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_cleaned_text_is_encodable_and_stable(raw: str) -> None:
    clean = clean_text(raw)
    clean.encode("utf-8")  # raises on a lone surrogate
    assert "\x00" not in clean and clean == clean.strip()
    assert all(ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs") for ch in clean)
    assert clean_text(clean) == clean
