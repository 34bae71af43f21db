"""Typed answers to the intake's closed questions: yes or no in words (knowledge/mediation/answers.yml), numbers."""

from __future__ import annotations

import re

from bot.knowledge.phrase_rules import PhraseRules

MAX_ANSWER_CHARS = 30  # longer than this, a message tells something else rather than answering yes or no
_FIRST_CLAUSE = re.compile(r"[，,。.！!；;]")
_NUMBER = re.compile(r"^[（(]?(\d{1,2}|[一二三四五六七八九十]|十[一二])[)）.、。．:：]?$")
# A number written before the option's words ("1同意", "2.邻里", "11其他"), but not a count ("3个月", "2楼").
_NUMBERED = re.compile(
    r"^[（(]?(\d{1,2})(?:[)）.、。．:：]|(?=[^\d个只月年天日号次岁万千百元块点周条位人层楼栋间亩斤分秒多几]))"
)
_CHINESE_NUMBERS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")


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
    """The option a typed number picks: "1", "２", "（2）", "二", "11", "1同意", "2.邻里" → the number; None when the
    message does not start with an option number."""
    folded = re.sub(r"\s+", "", text or "").translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    match = _NUMBER.match(folded) or _NUMBERED.match(folded)
    if not match:
        return None
    number = match.group(1)
    value = int(number) if number.isdigit() else _CHINESE_NUMBERS.index(number) + 1
    return value or None
