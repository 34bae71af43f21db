"""Referral references: random (not guessable), easy to read aloud, found again however they are typed back."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

PREFIX = "QY"
# No look-alikes: 0/O, 1/I/L are left out, so whatever the citizen reads or hears is one symbol only.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RANDOM_CHARS = 8  # two groups of four: 31**8 ≈ 8.5e11 references a day, about 39.6 bits
GROUP = 4

_SEP = r"[\s\-_－—]*"  # spaces, dashes (ASCII or full-width) typed anywhere between the parts
_SYMBOL = f"[{ALPHABET}{ALPHABET.lower()}]"
# The random part may be typed in any grouping ("k7m 9pq x2"); the date is six digits (YYMMDD).
CURRENT = re.compile(
    rf"(?<![A-Za-z]){PREFIX}{_SEP}(\d{{6}}){_SEP}((?:{_SYMBOL}{_SEP}){{{RANDOM_CHARS - 1}}}{_SYMBOL})",
    re.IGNORECASE,
)
# References made before random ones (QY-YYYYMMDD-NNNN) stay findable.
SEQUENTIAL = re.compile(rf"(?<![A-Za-z]){PREFIX}{_SEP}(\d{{8}}){_SEP}(\d{{4}})(?!\d)", re.IGNORECASE)


def new_reference(now: datetime) -> str:
    """QY-YYMMDD-XXXX-XXXX: the day it was made, then eight symbols drawn by the system's secure generator."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return f"{PREFIX}-{now:%y%m%d}-{body[:GROUP]}-{body[GROUP:]}"


def find_reference(text: str) -> tuple[str, tuple[int, int]] | None:
    """The first reference written in ``text``, in its stored spelling, and where it was; None if there is none.

    The older sequential form is tried first: its digits would otherwise read as a random part."""
    for pattern in (SEQUENTIAL, CURRENT):
        match = pattern.search(text or "")
        if match:
            date, rest = match.group(1), re.sub(_SEP, "", match.group(2)).upper()
            if pattern is CURRENT:
                rest = f"{rest[:GROUP]}-{rest[GROUP:]}"
            return f"{PREFIX}-{date}-{rest}", match.span()
    return None
