"""Emergencies: the categories of danger happening now, their phone numbers, and detecting them by phrase."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.knowledge.phrase_rules import PhraseRules

# A legal question about a danger ("威胁说要杀我全家算不算家暴"), or a danger that is past, habitual or over
# ("上次把我推倒在地上", "我没转直接挂了"), is not an emergency unless it says the danger is happening now; an
# ``always`` category (suicide) is held back only when a legal question is also plainly about a past attempt
# or a threat used as leverage ("前夫说不给钱就去死，这样签的协议有效吗").
GUARDS = ("asking_about_law", "past_or_habitual", "happening_now", "past_or_leverage", "money_sent")
DEFAULT_CATEGORY = "violence"  # what an emergency with no category (the intent model alone) is treated as


@dataclass(frozen=True)
class Category:
    """One kind of danger: its code, the numbers to call, and whether only past_or_leverage holds it back."""

    code: str
    call: tuple[str, ...]
    always: bool = False
    topics: tuple[str, ...] = ()  # a question of these topics that says the money is gone is this danger too


class EmergencyRules(PhraseRules):
    """knowledge/legal/emergency.yml: ``categories`` (checked in file order) and the ``guards``."""

    FILE = "legal/emergency.yml"

    def __init__(self, raw: Mapping[str, Any]):
        unknown = set(raw) - {"categories", "guards"}
        if unknown:
            raise ValueError(f"unknown keys in knowledge/{self.FILE}: {sorted(unknown)}")
        self.categories = tuple(
            Category(
                str(code),
                tuple(str(n) for n in item.get("call") or ()),
                bool(item.get("always")),
                tuple(str(t) for t in item.get("topics") or ()),
            )
            for code, item in (raw.get("categories") or {}).items()
        )
        if DEFAULT_CATEGORY not in self.codes:
            raise ValueError(f"knowledge/{self.FILE} must define the category {DEFAULT_CATEGORY!r}")
        missing = [c.code for c in self.categories if not c.call]
        if missing:
            raise ValueError(f"knowledge/{self.FILE}: categories without numbers to call: {missing}")
        super().__init__(raw)

    def keys(self) -> tuple[str, ...]:
        return self.codes + GUARDS

    @classmethod
    def pattern_lists(cls, raw: Mapping[str, Any]) -> dict[str, Sequence[str]]:
        lists = {
            str(code): item.get("patterns") or () for code, item in (raw.get("categories") or {}).items()
        }
        return {**lists, **{str(key): value or () for key, value in (raw.get("guards") or {}).items()}}

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)

    def category(self, code: str | None) -> Category:
        """The category of this code; an unknown or missing one is the default (violence)."""
        by_code = {c.code: c for c in self.categories}
        return by_code.get(code or "", by_code[DEFAULT_CATEGORY])

    def detect(self, text: str) -> str | None:
        """The first matching category, or None. Spaces are ignored so '不 想 活' still matches."""
        folded = self.fold(text)
        for category in self.categories:
            # A category held back as a legal question does not stop a later one.
            if category.always:
                held_back = self._asking(folded) and self.matches("past_or_leverage", folded)
            else:
                held_back = self._past_or_asking(folded)
            if not held_back and self.matches(category.code, folded):
                return category.code
        return None

    def _asking(self, folded: str) -> bool:
        """A question about the law that does not say the danger is happening now."""
        return self.matches("asking_about_law", folded) and not self._now(folded)

    def _past_or_asking(self, folded: str) -> bool:
        """A legal question, or a danger past, habitual or over, not said to be happening now."""
        past = self.matches("past_or_habitual", folded)
        return (past or self.matches("asking_about_law", folded)) and not self._now(folded)

    def _now(self, folded: str) -> bool:
        return self.matches("happening_now", folded)

    def urgent_for_topic(self, text: str, topic: str) -> Category | None:
        """Time before topic: a question of a scam topic that says the money has just gone ("我转了两千怎么办")
        gets the scam danger's numbers first; not when it is a question about a transfer in the past."""
        folded = self.fold(text)
        for category in self.categories:
            if (
                topic in category.topics
                and self.matches("money_sent", folded)
                and not self._past_or_asking(folded)
            ):
                return category
        return None

    def asking_about_law(self, text: str) -> bool:
        """A question about the law of a danger (past, or in general) that does not say it is happening now."""
        return self._asking(self.fold(text))
