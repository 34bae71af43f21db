"""Stories that ask two things: the entry for the second question, to offer after the main answer."""

from __future__ import annotations

from bot.knowledge.entries import Entry, han_count
from bot.knowledge.phrase_rules import PhraseRules
from bot.legal.retrieval import Retriever

MIN_HAN = 6  # a clause shorter than this is no question of its own
SECOND_MIN = 0.3  # how close the second question must be to an entry to be offered
BREAK = "\n"


class QuestionParts(PhraseRules):
    """knowledge/legal/questions.yml: where a message breaks into clauses, and what makes a clause a question."""

    FILE = "legal/questions.yml"
    KEYS = ("breaks", "asks")

    def clauses(self, text: str) -> list[str]:
        """The clauses that ask something, in order."""
        marked = self.fold(text)
        for pattern in self.patterns["breaks"]:
            marked = pattern.sub(BREAK, marked)
        return [p for p in marked.split(BREAK) if han_count(p) >= MIN_HAN and self.matches("asks", p)]


def second_question(
    retriever: Retriever, parts: QuestionParts, text: str, answered: Entry, audience: str | None
) -> Entry | None:
    """An entry that answers another question asked in the same message (another entry than the answer's)."""
    clauses = parts.clauses(text)
    if len(clauses) < 2:
        return None
    for clause in clauses:
        match = retriever.match(clause, audience)
        if match is not None and match.score >= SECOND_MIN and match.entry.id != answered.id:
            return match.entry
    return None
