"""When a question gets an answer, a clarifying question or the honest referral: the thresholds over retrieval."""

from __future__ import annotations

from bot.knowledge.entries import han_count
from bot.legal.retrieval import Match

UNDERSTOOD_HAN = 4  # fewer Chinese characters than this and no matching entry: not understood, so clarify
ANSWER_AFTER_EMERGENCY = 0.45  # how similar a message must be to an entry to also get that answer
# A predicted out-of-scope question this close to a stored one, naming no out-of-scope subject, is answered
# (on the development and check sets: 3 in-scope questions recovered, no out-of-scope one lost).
ANSWER_DESPITE_OUT_OF_SCOPE = 0.5
# Below this similarity the answer first says which question it answers: on the real development questions, three
# in ten answers under it were of another topic, and an entry's opening ("能。", "不对。") may not fit the question.
LOOSE_MATCH = 0.3
# A predicted out-of-scope question with an entry to give, that the retriever's scope classifier (trained on real and
# written questions) is this unlikely to need a lawyer, is answered: on the real development set 0.217 → 0.196 of
# answerable questions refused, behaviour 0.712 → 0.724; on dev3–dev5 behaviour up 0.3–1.5 points, and no question
# of the written out-of-scope or emergency check sets lost (0.3 lost one of the out-of-scope check).
IN_SCOPE_SURE = 0.2
# A question the retriever's scope classifier is this sure needs a lawyer gets the honest referral instead of a loose
# answer (chosen on tests/eval/real/dev.yml when it learnt from real questions only; kept after it learnt written ones).
REFER_OUTSIDE = 0.7


def in_words(text: str) -> bool:
    """Enough Chinese to be a question in words (not an emoji, markup or a stray word)."""
    return han_count(text) >= UNDERSTOOD_HAN


def clarify_unanswered(text: str, intent: str | None) -> bool:
    """A message no entry answers is clarified ("did you mean") rather than honestly refused when it is not a
    question in words, or was taken for an intake answer (a bare place or dispute word outside the intake)."""
    return not in_words(text) or intent == "inform"


def refer_outside(outside_probability: float, confidence: float) -> bool:
    """A loose match on a question that most likely needs a lawyer: refer honestly rather than answer."""
    return outside_probability >= REFER_OUTSIDE and loose(confidence)


def loose(confidence: float) -> bool:
    """A match loose enough that the answer should say which question it is answering."""
    return confidence < LOOSE_MATCH


def answer_after_emergency(match: Match | None) -> bool:
    """After the emergency numbers, the answer too when the message clearly is a legal question."""
    return match is not None and match.score >= ANSWER_AFTER_EMERGENCY


def answer_despite_out_of_scope(
    match: Match | None, names_outside_subject: bool, outside_probability: float
) -> bool:
    """A question the model called out of scope is answered when it names no subject that needs a lawyer and
    either is very close to a stored one or the scope classifier is sure it is one the knowledge base covers."""
    if names_outside_subject or match is None:
        return False
    return match.score >= ANSWER_DESPITE_OUT_OF_SCOPE or outside_probability < IN_SCOPE_SURE
