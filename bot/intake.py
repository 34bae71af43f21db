"""The intake's vocabulary and the rules that read a citizen's story: who the other party is, what to edit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge.entries import han_count

MIN_DESCRIPTION_HAN = 10
MAX_DESCRIPTION_CHARS = 1000
# Phrases that only ask for mediation; what is left after removing them is the story.
REQUEST_WORDS = re.compile(
    r"(我)?(想|要|想要)?(申请)?(人民)?调解(一下)?|帮(我|忙)|请|找人|评评理|可以吗|能不能|怎么办"
)
NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z·]{1,20}$")
REFERENCE = re.compile(r"QY-\d{8}-\d{4}", re.IGNORECASE)
LAST_FOUR = re.compile(r"(?<![\d-])(\d{4})(?!\d)")


@dataclass(frozen=True)
class IntakeVocabulary:
    """Words from knowledge/mediation/intake.yml."""

    counterparties: dict[str, str]
    edit_words: dict[str, str]
    statuses: dict[str, str]
    max_status_attempts: int

    @classmethod
    def load(cls, knowledge: Path) -> IntakeVocabulary:
        raw = yaml.safe_load((knowledge / "mediation" / "intake.yml").read_text(encoding="utf-8"))
        return cls(raw["counterparties"], raw["edit_words"], raw["statuses"], int(raw["max_status_attempts"]))

    def counterparty_in(self, text: str) -> str | None:
        """The other party named in a story (the first one mentioned), in the mediator's words."""
        found = [(text.find(word), value) for word, value in self.counterparties.items() if word in text]
        return min(found)[1] if found else None

    def edit_target(self, text: str) -> str | None:
        """Which field "改一下电话" wants to change (the longest matching word wins)."""
        words = sorted((w for w in self.edit_words if w in text), key=len, reverse=True)
        return self.edit_words[words[0]] if words else None


def story_of(text: str) -> str | None:
    """The story inside a first message, when it tells one (10+ Chinese characters beyond the request)."""
    rest = REQUEST_WORDS.sub("", text or "")
    return text.strip()[:MAX_DESCRIPTION_CHARS] if han_count(rest) >= MIN_DESCRIPTION_HAN else None


def valid_description(text: str) -> str | None:
    return text.strip()[:MAX_DESCRIPTION_CHARS] if han_count(text or "") >= MIN_DESCRIPTION_HAN else None


def valid_name(text: str) -> str | None:
    name = re.sub(r"\s+", "", text or "")
    name = re.sub(r"^(我叫|我是|叫我|我姓|姓)", "", name)
    return name if NAME.match(name) else None


def parse_status_query(text: str) -> tuple[str | None, str | None]:
    """(reference, last four digits) from '查询进度 QY-20261129-0001 8000'."""
    reference = REFERENCE.search(text or "")
    rest = REFERENCE.sub("", text or "")
    digits = LAST_FOUR.search(rest)
    return (reference.group(0).upper() if reference else None, digits.group(1) if digits else None)
