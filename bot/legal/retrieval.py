"""Finding the knowledge-base entry for a question: char, word and sound TF-IDF, topic votes and a classifier."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

import jieba
import numpy as np
from pypinyin import lazy_pinyin
from scipy.sparse import hstack, spmatrix, vstack

from bot.compact_map import CompactMap
from bot.knowledge.catalog import Catalog
from bot.knowledge.dictionaries import all_dictionaries
from bot.knowledge.entries import Entry, normalize
from bot.knowledge.topic_questions import TopicQuestion
from bot.legal.followups import FollowupRules
from bot.legal.tfidf import FittedTfidf
from bot.legal.topic_classifier import TopicClassifier

MIN_CONFIDENCE = 0.12  # below this the question is clarified, not answered (dev3-5: 9 → 2 unanswered)
TOPIC_VOTES = 8  # how many of a topic's most similar questions vote for it
CLASSIFIER_WEIGHT = 0.5  # the topic classifier's probability, added to the votes scaled to the best topic's
NEAR_EXACT = 0.9  # a question this similar to a stored one decides the topic without a vote
AUDIENCE_MARGIN = 0.8  # an entry for the asker's audience wins if it scores within this share of the best
PAIR_MARGIN = (
    0.7  # whom the question is about decides between twin topics this close (tuned on tests/eval/dev.yml)
)
FOLLOWUP_MIN = 0.12  # the follow-up's own words must match an entry of the same topic at least this well
IN, OUT = "in_scope", "out_of_scope"
Twins = Mapping[str, tuple[str, str]]  # audience topic → (its audience, its general twin)


@dataclass(frozen=True)
class Match:
    """The chosen entry, its similarity score, and the next-best entries (for 'did you mean')."""

    entry: Entry
    score: float
    alternatives: tuple[Entry, ...]
    query: str = ""


def sounds(text: str) -> list[str]:
    """Syllables and syllable pairs without tones: a homophone typo (陪偿 for 赔偿, 遗竹 for 遗嘱) sounds the same."""
    syllables = [s for s in lazy_pinyin(text, errors="ignore") if s.strip()]
    return syllables + [f"{a} {b}" for a, b in pairwise(syllables)]


def _about_nobody(_text: str) -> frozenset[str]:
    return frozenset()


def _unchanged(text: str) -> str:
    return text


class Analyses:
    """Each prepared text's jieba words and pinyin sounds, remembered across builds of the retriever: after an
    entry is added only its own questions are analysed again. Words depend on the jieba dictionaries, so a memo is
    only reused with the same dictionaries (``bot.legal.retriever_cache`` keys it by them)."""

    def __init__(
        self,
        words: dict[str, tuple[str, ...]] | None = None,
        sounds: dict[str, tuple[str, ...]] | None = None,
    ):
        self.word_memo = words if words is not None else {}
        self.sound_memo = sounds if sounds is not None else {}

    def words(self, text: str, cut: Callable[[str], list[str]]) -> list[str]:
        found = self.word_memo.get(text)
        if found is None:
            found = self.word_memo[text] = tuple(cut(text))
        return list(found)

    def sounds(self, text: str) -> list[str]:
        found = self.sound_memo.get(text)
        if found is None:
            found = self.sound_memo[text] = tuple(sounds(text))
        return list(found)


class Retriever:
    """Scores questions by character, word (jieba) and sound (pinyin) TF-IDF, the three views weighted equally; a
    topic is chosen by the sum of its best matches.

    Measured on the development sets (tests/eval/dev*.yml): topic voting over the top questions and the views
    together pick the right topic far more often than the single most similar question; a topic classifier trained
    on all questions helps most on unfamiliar phrasings, and the sound view on typos (dev5).
    Cantonese words are folded into Mandarin first (``fold``, from knowledge/dialect.yml). Questions labelled
    only by topic (``examples``, from knowledge/topic_questions/) vote and train the classifier but are never an
    answer: written by people who never saw the entries, they teach the topics in other words.
    """

    def __init__(
        self,
        entries: list[Entry],
        dictionaries: Sequence[Sequence[str]] = (),
        about: Callable[[str], frozenset[str]] | None = None,
        fold: Callable[[str], str] | None = None,
        examples: Sequence[TopicQuestion] = (),
        twins: Twins | None = None,
        followups: FollowupRules | None = None,
        outside: Sequence[str] = (),
        analyses: Analyses | None = None,
    ):
        """``analyses`` remembers each text's words and sounds between builds (see ``Analyses``)."""
        self.entries = entries
        self._about = about or _about_nobody
        self._fold = fold or _unchanged
        self._twins = twins or {}
        self._followups = followups
        self._tokenizer = jieba.Tokenizer()
        for lines in dictionaries:  # jieba dictionary lines: `word freq tag`
            self._tokenizer.load_userdict(io.BytesIO(("\n".join(lines) + "\n").encode("utf-8")))
        texts, owners = [], []
        for index, entry in enumerate(entries):
            for question in entry.questions:
                texts.append(self._prepare(question))
                owners.append(index)
        self._owners = np.array(owners, dtype=int)  # the entry of each stored question; examples come after
        self._topics = sorted({e.topic for e in entries})
        entry_topic = np.array([self._topics.index(e.topic) for e in entries], dtype=int)
        topic_of = list(entry_topic[self._owners]) if len(owners) else []
        for example in examples:
            if example.topic in self._topics:
                texts.append(self._prepare(example.text))
                topic_of.append(self._topics.index(example.topic))
        self._question_topic = np.array(topic_of, dtype=int)
        # Fitted on remembered analyses (jieba and pinyin are nine tenths of a build), then given the live
        # analyzers for the questions to come.
        from sklearn.feature_extraction.text import TfidfVectorizer  # fitting only: serving never imports it

        memo = analyses if analyses is not None else Analyses()
        chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        words = TfidfVectorizer(analyzer=lambda text: memo.words(text, self._cut), sublinear_tf=True)
        sound_vectorizer = TfidfVectorizer(analyzer=memo.sounds, sublinear_tf=True)
        self._chars: Any = chars
        self._words: Any = words
        self._sounds: Any = sound_vectorizer
        self._char_matrix = chars.fit_transform(texts) if texts else None
        self._word_matrix = words.fit_transform(texts) if texts else None
        self._sound_matrix = sound_vectorizer.fit_transform(texts) if texts else None
        # The classifiers learn from the same features the matrices already hold (transforming again cost 8 s).
        known = hstack([self._char_matrix, self._word_matrix]).tocsr() if texts else None
        self._classifier = TopicClassifier(
            self._features, texts, [self._topics[t] for t in self._question_topic], known
        )
        # In or out of what the knowledge base covers, learnt from questions that need a lawyer (real and written).
        out = [self._prepare(text) for text in outside]
        both = vstack([known, self._features(out)]).tocsr() if known is not None and out else known
        self._scope = TopicClassifier(
            self._features, [*texts, *out], [IN] * len(texts) + [OUT] * len(out), both
        )
        # Fitted: from now on the vectorizers only transform questions (FittedTfidf, no scikit-learn when serving)
        # and jieba only looks words up, both in arrays instead of dicts (the action server 450 → 300 MiB).
        self._tokenizer.FREQ = CompactMap(self._tokenizer.FREQ)
        if texts:
            self._chars = FittedTfidf(chars)
            self._words = FittedTfidf(words, self._cut)
            self._sounds = FittedTfidf(sound_vectorizer, sounds)

    def __getstate__(self) -> dict:
        """For the disk cache: jieba's tokenizer holds a lock, so its dictionary is stored without it."""
        state = dict(self.__dict__)
        tokenizer = state.pop("_tokenizer")
        state["_tokenizer_state"] = {k: v for k, v in vars(tokenizer).items() if k != "lock"}
        return state

    def __setstate__(self, state: dict) -> None:
        tokenizer = jieba.Tokenizer()
        vars(tokenizer).update(state.pop("_tokenizer_state"))
        self.__dict__.update(state)
        self._tokenizer = tokenizer

    @classmethod
    def from_catalog(
        cls,
        catalog: Catalog,
        about: Callable[[str], frozenset[str]],
        fold: Callable[[str], str],
        followups: FollowupRules,
        analyses: Analyses | None = None,
    ) -> Retriever:
        """The production configuration: every entry, the questions that teach topics (topic questions and real
        citizens' questions), all jieba dictionaries, the twin topics, and the questions that need a lawyer (real
        citizens' ones and those written for the intent model)."""
        return cls(
            catalog.entries,
            list(all_dictionaries(catalog).values()),
            about,
            fold,
            catalog.teaching_questions,
            catalog.topics.twins,
            followups,
            [
                *(q.text for q in catalog.real_questions if q.kind in ("out_of_scope", "fallback")),
                *catalog.outside_questions,
            ],
            analyses,
        )

    def with_entries(self, entries: list[Entry]) -> Retriever:
        """The same index answering with these entries: the same ids in the same order, their answers, citations
        and next steps possibly edited since the index was built (so such an edit needs no rebuild)."""
        if [e.id for e in entries] != [e.id for e in self.entries]:
            raise ValueError("entries differ from the indexed ones; build the retriever again")
        updated = copy.copy(self)
        updated.entries = entries
        return updated

    def outside_probability(self, question: str) -> float:
        """How likely the question is one the knowledge base does not cover (0 without examples to learn from)."""
        return self._scope.probabilities(self._prepare(question)).get(OUT, 0.0)

    def _prepare(self, text: str) -> str:
        return self._fold(normalize(text))

    def _features(self, texts: Sequence[str]) -> spmatrix:
        return hstack([self._chars.transform(texts), self._words.transform(texts)]).tocsr()

    def _cut(self, text: str) -> list[str]:
        return [w for w in self._tokenizer.cut(text) if w.strip()]

    def question_scores(self, question: str) -> np.ndarray:
        """Similarity of the question to every stored question and topic example (the three views' mean)."""
        text = self._prepare(question)
        if self._char_matrix is None or self._word_matrix is None or self._sound_matrix is None or not text:
            return np.zeros(len(self._question_topic))
        by_char = self._char_matrix @ self._chars.transform([text]).T
        by_word = self._word_matrix @ self._words.transform([text]).T
        by_sound = self._sound_matrix @ self._sounds.transform([text]).T
        return np.asarray((by_char + by_word + by_sound).toarray()).ravel() / 3

    def scores(self, question: str) -> np.ndarray:
        """Best similarity per entry."""
        return self._per_entry(self.question_scores(question))

    def _per_entry(self, question_scores: np.ndarray) -> np.ndarray:
        best = np.zeros(len(self.entries))
        if len(question_scores):
            np.maximum.at(best, self._owners, question_scores[: len(self._owners)])
        return best

    def topic_scores(self, question: str, question_scores: np.ndarray) -> dict[str, float]:
        """Each topic's score: the sum of its TOPIC_VOTES most similar questions, relative to the best topic's,
        plus CLASSIFIER_WEIGHT times the classifier's probability."""
        votes = {}
        for index, topic in enumerate(self._topics):
            mine = np.sort(question_scores[self._question_topic == index])
            votes[topic] = float(mine[-TOPIC_VOTES:].sum())
        best = max(votes.values(), default=0.0) or 1.0
        learned = self._classifier.probabilities(self._prepare(question))
        return {t: v / best + CLASSIFIER_WEIGHT * learned.get(t, 0.0) for t, v in votes.items()}

    def match(self, question: str, audience: str | None = None) -> Match | None:
        """The best entry of the winning topic for this audience, or None when nothing is similar enough."""
        question_scores = self.question_scores(question)
        votes = self.topic_scores(question, question_scores)
        if not votes:
            return None
        topic = max(votes, key=lambda t: votes[t])
        if len(question_scores) and question_scores.max() >= NEAR_EXACT:
            topic = self._topics[int(self._question_topic[int(question_scores.argmax())])]
        else:
            topic = paired_topic(topic, votes, self._about(question) | {audience or "general"}, self._twins)
        in_topic = self._per_entry(question_scores) * np.array([e.topic == topic for e in self.entries])
        return self._choose(in_topic, question, audience, topic)

    def _choose(
        self,
        scores: np.ndarray,
        question: str,
        audience: str | None,
        prefer_topic: str | None,
        minimum: float = MIN_CONFIDENCE,
    ) -> Match | None:
        if not len(scores):
            return None
        order = [int(i) for i in np.argsort(-scores, kind="stable")[:10]]
        top = order[0]
        if scores[top] < minimum:
            return None
        close = [i for i in order if scores[i] >= AUDIENCE_MARGIN * scores[top]]
        topic = (
            prefer_topic
            if any(self.entries[i].topic == prefer_topic for i in close)
            else self.entries[top].topic
        )
        in_topic = [i for i in close if self.entries[i].topic == topic]
        chosen = next((i for i in in_topic if audience in self.entries[i].audiences), in_topic[0])
        alternatives = tuple(self.entries[i] for i in order[:4] if i != chosen)[:3]
        return Match(self.entries[chosen], float(scores[chosen]), alternatives, question)

    def match_in_context(
        self, text: str, last_question: str | None, last_topic: str | None, audience: str | None
    ) -> Match | None:
        """A follow-up ("那如果是孙子呢") is read together with the last question and prefers its topic."""
        followups = self._followups
        if last_question and followups is not None and followups.is_followup(text):
            combined = f"{last_question} {text}"
            own = self.scores(followups.core(text) or text)
            if last_topic:
                same_topic = own * np.array([e.topic == last_topic for e in self.entries])
                match = self._choose(same_topic, combined, audience, last_topic, FOLLOWUP_MIN)
                if match is not None:
                    return replace(match, query=combined)
            # Otherwise the new words count as much as the old question.
            scores = (self.scores(combined) + own) / 2
            match = self._choose(scores, combined, audience, last_topic)
            if match is not None:
                return replace(match, query=combined)
        return self.match(text, audience)

    def nearest(self, question: str, count: int = 3) -> list[Entry]:
        """The closest entries even when none is close enough to answer (for clarifying buttons)."""
        scores = self.scores(question)
        order = np.argsort(-scores, kind="stable")[:count]
        return [self.entries[int(i)] for i in order if scores[int(i)] > 0]


def paired_topic(topic: str, votes: dict[str, float], about: frozenset[str] | set[str], twins: Twins) -> str:
    """Between an audience's own topic and its general twin (elder_fraud / telecom_fraud), close votes go by
    whom the question is about: a scam on an old person (asked by them or their children) is elder_fraud."""
    for special, (owner, general) in twins.items():
        if topic == special and owner not in about and votes.get(general, 0) >= PAIR_MARGIN * votes[topic]:
            return general
        if topic == general and owner in about and votes.get(special, 0) >= PAIR_MARGIN * votes[topic]:
            return special
    return topic
