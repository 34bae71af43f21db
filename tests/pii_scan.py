"""Searching log output for personal data: the phone numbers, ID and bank-card numbers shapes, and the names the
conversation tests type (the whole run's logs are searched at its end, see tests/conftest.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from bot.privacy import ID_NUMBER, MOBILE

BANK_CARD = re.compile(r"(?<![\d.])(?:62|4\d|5[1-5])\d{14,17}(?![\d.])")
NAMES = ("陈女士", "王阿姨")  # the applicants' names typed by the conversation tests


ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")  # JSON log lines write Chinese as \uXXXX


def findings(lines: Iterable[str]) -> list[str]:
    """Each line that carries a phone number, an ID or bank-card number, or a test applicant's name."""
    return [line for line in lines if _personal(ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), line))]


def _personal(line: str) -> bool:
    numbers = MOBILE.search(line) or ID_NUMBER.search(line) or BANK_CARD.search(line)
    return bool(numbers) or any(name in line for name in NAMES)


def scan_folder(folder: Path) -> list[str]:
    """``file: line`` for every finding in the log files under ``folder``."""
    found = []
    for path in sorted(folder.rglob("*.log")):
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.name}: {line.strip()[:300]}" for line in findings(text.splitlines())]
    return found
