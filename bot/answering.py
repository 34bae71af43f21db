"""Finding the knowledge-base entry for a question (char n-gram TF-IDF retrieval) and building the reply payload."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.knowledge.entries import Entry, normalize
from bot.knowledge.statutes import StatuteIndex

MIN_CONFIDENCE = 0.22  # below this the question is not answered but clarified
AUDIENCE_MARGIN = 0.8  # an entry for the asker's audience wins if it scores within this share of the best


@dataclass(frozen=True)
class Match:
    """The chosen entry, its similarity score, and the next-best entries (for 'did you mean')."""

    entry: Entry
    score: float
    alternatives: tuple[Entry, ...]


class Retriever:
    """Scores every entry by its most similar question (canonical or paraphrase)."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        texts, owners = [], []
        for index, entry in enumerate(entries):
            for question in entry.questions:
                texts.append(normalize(question))
                owners.append(index)
        self._owners = np.array(owners)
        self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self._matrix = self._vectorizer.fit_transform(texts) if texts else None

    def scores(self, question: str) -> np.ndarray:
        """Best similarity per entry."""
        best = np.zeros(len(self.entries))
        if self._matrix is None or not normalize(question):
            return best
        sims = (self._matrix @ self._vectorizer.transform([normalize(question)]).T).toarray().ravel()
        np.maximum.at(best, self._owners, sims)
        return best

    def match(self, question: str, audience: str | None = None) -> Match | None:
        """The best entry for this audience, or None when nothing is similar enough."""
        scores = self.scores(question)
        if not len(scores):
            return None
        order = np.argsort(-scores, kind="stable")
        top = int(order[0])
        if scores[top] < MIN_CONFIDENCE:
            return None
        chosen = top
        if audience and audience not in self.entries[top].audiences:
            topic = self.entries[top].topic
            for index in order[:10]:
                entry = self.entries[int(index)]
                close = scores[index] >= AUDIENCE_MARGIN * scores[top]
                if close and entry.topic == topic and audience in entry.audiences:
                    chosen = int(index)
                    break
        alternatives = tuple(self.entries[int(i)] for i in order[:4] if int(i) != chosen)[:3]
        return Match(self.entries[chosen], float(scores[chosen]), alternatives)

    def nearest(self, question: str, count: int = 3) -> list[Entry]:
        """The closest entries even when none is close enough to answer (for clarifying buttons)."""
        scores = self.scores(question)
        order = np.argsort(-scores, kind="stable")[:count]
        return [self.entries[int(i)] for i in order if scores[int(i)] > 0]


def citation_payload(entry: Entry, statutes: StatuteIndex) -> list[dict[str, str]]:
    """Each citation with its article text read from the statute files (never typed by hand)."""
    cited = []
    for cite in entry.citations:
        article = statutes.get(cite.law, cite.article)
        if article is None:
            raise LookupError(f"{entry.id} cites {cite.law}{cite.article}, which is not in knowledge/laws")
        cited.append({"law": cite.law, "article": cite.article, "text": article.text})
    return cited


def citation_line(entry: Entry) -> str:
    return "；".join(f"《{c.law}》{c.article}" for c in entry.citations)


def answer_payload(entry: Entry, audience: str, statutes: StatuteIndex, confidence: float) -> dict:
    """The `json_message` of an answer (the reply payload contract in the README)."""
    return {
        "kind": "answer",
        "topic": entry.topic,
        "audience": audience,
        "kb_id": entry.id,
        "confidence": round(confidence, 3),
        "citations": citation_payload(entry, statutes),
        "next_steps": list(entry.next_steps),
        "offer_mediation": entry.offer_mediation,
    }
