"""The mediation intake: its vocabulary (knowledge/mediation/intake.yml) and the rules that read a citizen's answers."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.entries import han_count
from bot.mediation.references import find_reference
from bot.yamlfile import read_yaml

MIN_DESCRIPTION_HAN = 10
MAX_DESCRIPTION_CHARS = 1000
MAX_COUNTERPARTY_CHARS = 30
NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z·]{1,20}$")
LAST_FOUR = re.compile(r"(?<![\d-])(\d{4})(?!\d)")
_SPACE = re.compile(r"\s+")
_CLAUSE = re.compile(r"[，,。.；;、]+")


@dataclass(frozen=True)
class IntakeVocabulary:
    """Words and phrase rules from knowledge/mediation/intake.yml."""

    counterparties: dict[str, str]
    edit_words: dict[str, str]
    request_words: re.Pattern[str]
    name_prefixes: re.Pattern[str]
    contact_unknown: str

    @classmethod
    def load(cls, knowledge: Path) -> IntakeVocabulary:
        raw = read_yaml(knowledge / "mediation" / "intake.yml")
        return cls(
            raw["counterparties"],
            raw["edit_words"],
            re.compile(raw["request_words"]),
            re.compile(raw["name_prefixes"]),
            str(raw["contact_unknown"]),
        )

    def counterparty_in(self, text: str) -> str | None:
        """The other party named in a story (the first one mentioned), in the mediator's words."""
        found = [(text.find(word), value) for word, value in self.counterparties.items() if word in text]
        return min(found)[1] if found else None

    def edit_target(self, text: str) -> str | None:
        """Which field "改一下电话" wants to change (the longest matching word wins)."""
        words = sorted((w for w in self.edit_words if w in text), key=len, reverse=True)
        return self.edit_words[words[0]] if words else None

    def story_of(self, text: str) -> str | None:
        """The story inside a first message, when it tells one (10+ Chinese characters beyond the request)."""
        rest = self.request_words.sub("", text or "")
        return text.strip()[:MAX_DESCRIPTION_CHARS] if han_count(rest) >= MIN_DESCRIPTION_HAN else None

    def valid_name(self, text: str) -> str | None:
        """How to address the applicant ("王", "王阿姨"), without "我姓"; None when it is not a name. Of a name said
        twice ("我姓何，何女士") the last clause that is a name is taken."""
        clauses = _CLAUSE.split(_SPACE.sub("", text or ""))
        for clause in [*clauses[::-1], "".join(clauses)] if len(clauses) > 1 else clauses:
            name = self.name_prefixes.sub("", clause)
            if NAME.match(name):
                return name
        return None


def valid_description(text: str) -> str | None:
    return text.strip()[:MAX_DESCRIPTION_CHARS] if han_count(text or "") >= MIN_DESCRIPTION_HAN else None


def valid_counterparty(text: str) -> str | None:
    return text.strip()[:MAX_COUNTERPARTY_CHARS] or None


def parse_status_query(text: str) -> tuple[str | None, str | None]:
    """(reference, last four digits) from '查询进度 QY-261129-K7MP-9PQX 8000' (or 'qy 261129 k7m p9p qx，尾号8000',
    or an older 'QY-20261129-0001 8000'); the reference in its stored spelling."""
    text = text or ""
    found = find_reference(text)
    rest = text[: found[1][0]] + " " + text[found[1][1] :] if found else text
    digits = LAST_FOUR.search(rest)
    return (found[0] if found else None, digits.group(1) if digits else None)


def conversation_key(sender_id: str, started_at: object) -> str:
    """One key per intake: same sender and same start (the form's activation time, "" if unknown) → same key,
    so a retried submit is recognised."""
    return hashlib.sha256(f"{sender_id}:{started_at}".encode()).hexdigest()
