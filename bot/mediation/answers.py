"""Typed answers to the intake's closed questions: yes or no in words (knowledge/mediation/answers.yml), numbers."""

from __future__ import annotations

import re

from bot.knowledge.phrase_rules import PhraseRules

MAX_ANSWER_CHARS = 30  # longer than this, a message tells something else rather than answering yes or no
_FIRST_CLAUSE = re.compile(r"[，,。.！!；;]")
_NUMBER = re.compile(r"^[（(]?([1-9]|[一二三四五六七八九])[)）.、。]?$")
_CHINESE_DIGITS = "一二三四五六七八九"


class YesNoRules(PhraseRules):
    """`question` marks a message that asks rather than answers; `unsure`, `negative` and `affirmative` are checked
    in that order."""

    FILE = "mediation/answers.yml"
    KEYS = ("question", "unsure", "negative", "affirmative")
    TRADITIONAL = True

    def asks(self, text: str | None) -> bool:
        """Whether the message asks something (a question in the middle of the intake) rather than answers."""
        return self.matches("question", self.fold(text).lower())

    def read(self, text: str | None) -> bool | None:
        """True for yes, False for no, None when the message is not a plain yes or no."""
        folded = self.fold(text).lower()
        if not folded or len(folded) > MAX_ANSWER_CHARS or self.matches("question", folded):
            return None
        first = _FIRST_CLAUSE.split(folded, maxsplit=1)[0] or folded
        if self.matches("unsure", first):
            return None
        if self.matches("negative", first):
            return False
        if self.matches("affirmative", first):
            return True
        return None


def option_number(text: str | None) -> int | None:
    """The option a typed number picks: "1", "２", "（2）", "二" → 2; None when the message is not a number."""
    folded = re.sub(r"\s+", "", text or "").translate(str.maketrans("１２３４５６７８９", "123456789"))
    match = _NUMBER.match(folded)
    if not match:
        return None
    digit = match.group(1)
    return int(digit) if digit.isdigit() else _CHINESE_DIGITS.index(digit) + 1
