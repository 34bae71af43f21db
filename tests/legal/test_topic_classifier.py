"""The topic classifier learns topic words from all stored questions and combines with the retriever's votes."""

import pytest
from sklearn.feature_extraction.text import CountVectorizer

from bot.legal.retrieval import CLASSIFIER_WEIGHT, Retriever
from bot.legal.topic_classifier import TopicClassifier


@pytest.mark.parametrize("extra", [[], [("借钱不还", "debt"), ("欠条丢了", "debt")]])
def test_classifier_learns_topic_words(extra: list[tuple[str, str]]) -> None:
    pairs = [("老板拖欠工资", "labor"), ("工资不发", "labor"), ("加班没有工资", "labor")]
    pairs += [("邻居噪音", "neighbor"), ("楼上邻居漏水", "neighbor"), ("邻居堵路", "neighbor"), *extra]
    texts, topics = [t for t, _ in pairs], [t for _, t in pairs]
    vectorizer = CountVectorizer(analyzer="char").fit(texts)  # a bag of characters is enough here
    classifier = TopicClassifier(vectorizer.transform, texts, topics)
    for text, topic in (("工资", "labor"), ("邻居", "neighbor")):
        probabilities = classifier.probabilities(text)
        assert max(probabilities, key=probabilities.__getitem__) == topic
        assert sum(probabilities.values()) == pytest.approx(1.0)
    assert classifier.probabilities("") == {}


def test_one_topic_is_nothing_to_classify() -> None:
    assert TopicClassifier(lambda batch: batch, ["a"], ["labor"]).probabilities("a") == {}


@pytest.fixture(scope="module")
def folded(retriever: Retriever) -> Retriever:
    """The production retriever: it folds Cantonese (knowledge/dialect.yml) before scoring."""
    return retriever


def test_topic_scores_combine_votes_and_classifier(folded: Retriever) -> None:
    text = "老板拖欠三个月工资不发怎么办"
    scores = folded.topic_scores(text, folded.question_scores(text))
    assert max(scores, key=scores.__getitem__) == "labor"
    assert max(scores.values()) <= 1.0 + CLASSIFIER_WEIGHT + 1e-9  # votes scaled to 1, plus a probability


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("佢哋唔俾人工，拖咗三个月，点算", "labor"),
        ("楼上嗰家人成日半夜好嘈，点算", "neighbor"),
        ("老豆过身，屋企间屋点分", "inheritance"),
    ],
)
def test_cantonese_questions_find_their_topic(folded: Retriever, text: str, topic: str) -> None:
    match = folded.match(text, "general")
    assert match is not None and match.entry.topic == topic


def test_margins_are_the_fitted_models() -> None:
    """The classifier keeps only the fitted weights, sparse; its probabilities are those of LinearSVC's margins."""
    import numpy as np
    from sklearn.svm import LinearSVC

    from bot.legal.topic_classifier import REGULARIZATION, TEMPERATURE

    pairs = [
        ("老板拖欠工资", "labor"),
        ("工资不发", "labor"),
        ("邻居噪音", "neighbor"),
        ("楼上漏水", "neighbor"),
    ]
    pairs += [("借钱不还", "debt"), ("欠条丢了", "debt")]
    texts, topics = [t for t, _ in pairs], [t for _, t in pairs]
    vectorizer = CountVectorizer(analyzer="char").fit(texts)
    classifier = TopicClassifier(vectorizer.transform, texts, topics)
    model = LinearSVC(C=REGULARIZATION, random_state=0).fit(vectorizer.transform(texts), topics)
    for text in ("工资", "漏水了", "欠钱"):
        margins = model.decision_function(vectorizer.transform([text])).ravel() / TEMPERATURE
        expected = np.exp(margins - margins.max())
        expected /= expected.sum()
        got = classifier.probabilities(text)
        assert [got[str(c)] for c in model.classes_] == pytest.approx(expected.tolist(), abs=1e-6)
