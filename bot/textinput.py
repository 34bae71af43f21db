"""Citizens' typed text as the bot may see it: no control characters, lone surrogates, bidi overrides or noncharacters."""

from __future__ import annotations

import re
import unicodedata

# Line and paragraph separators become newlines; tabs become spaces; \r\n and \r become \n.
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# Bidi embeddings, overrides and isolates can make a console page show text in another order than it was typed.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _kept(ch: str) -> bool:
    if ch == "\n":
        return True
    if ch in _BIDI:
        return False
    code = ord(ch)
    if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:  # Unicode noncharacters
        return False
    return unicodedata.category(ch) not in ("Cc", "Cs")  # controls; lone surrogates (cannot be UTF-8 encoded)


def clean_text(text: str) -> str:
    """``text`` with what no one types removed (newlines kept, tabs as spaces), trimmed at both ends.

    Rasa, the logs and PostgreSQL (which refuses NUL in text) all get plain, encodable text; what remains empty is
    an empty message.
    """
    text = _NEWLINES.sub("\n", text).replace("\t", " ")
    return "".join(ch for ch in text if _kept(ch)).strip()


def is_blank(text: str) -> bool:
    """Nothing a reader would see: only spaces and invisible format characters (zero-width space, joiners…)."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)
