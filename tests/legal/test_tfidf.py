"""FittedTfidf gives the vectors of the scikit-learn vectorizer it was made from, so serving needs no scikit-learn."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.legal.retrieval import Retriever, sounds
from bot.legal.tfidf import FittedTfidf

QUERIES = [
    "老板拖欠工资三个月不给怎么办",
    "邻居  装修噪音太大\n晚上睡不着",
    "ABC公司 Labor Contract 合同",
    "",
    "完全陌生的話題：量子力學",
    "我转了两千给骗子😭怎么办",
]


def _same(fitted: FittedTfidf, vectorizer: TfidfVectorizer, texts: list[str]) -> None:
    mine, theirs = fitted.transform(texts), vectorizer.transform(texts)
    assert mine.shape == theirs.shape
    assert np.allclose(mine.toarray(), theirs.toarray(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("sublinear", [True, False])
def test_character_ngrams_match_scikit_learn(retriever: Retriever, sublinear: bool) -> None:
    texts = [q for entry in retriever.entries for q in entry.questions]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=sublinear).fit(texts)
    _same(FittedTfidf(vectorizer), vectorizer, QUERIES + texts[::7])


def test_a_callable_analyzer_matches_scikit_learn(retriever: Retriever) -> None:
    texts = [q for entry in retriever.entries for q in entry.questions]
    vectorizer = TfidfVectorizer(analyzer=sounds, sublinear_tf=True).fit(texts)
    _same(FittedTfidf(vectorizer, sounds), vectorizer, QUERIES + texts[::7])


def test_other_vectorizers_are_refused() -> None:
    with pytest.raises(ValueError):
        FittedTfidf(TfidfVectorizer(analyzer="word").fit(["a b"]))
    with pytest.raises(ValueError):
        FittedTfidf(TfidfVectorizer(analyzer="char", norm="l1").fit(["a b"]))
