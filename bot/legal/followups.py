"""Follow-up questions (knowledge/legal/followups.yml): "那如果是孙子呢" only makes sense after the last question."""

from __future__ import annotations

from bot.knowledge.entries import normalize
from bot.knowledge.phrase_rules import PhraseRules

MAX_CHARS = 16  # longer messages are questions of their own


class FollowupRules(PhraseRules):
    """`followup` patterns mark a short message as a follow-up; `filler` patterns are the words around what it
    asks ("那如果是…呢")."""

    FILE = "legal/followups.yml"
    KEYS = ("followup", "filler")

    def is_followup(self, text: str) -> bool:
        return len(normalize(text)) <= MAX_CHARS and self.matches("followup", text.strip())

    def core(self, text: str) -> str:
        """The words that carry the follow-up: 那如果是孙子呢 → 孙子."""
        previous = None
        while previous != text:
            previous = text
            for pattern in self.patterns["filler"]:
                text = pattern.sub("", text.strip())
        return text
