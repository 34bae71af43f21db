"""Topic classifier: a linear model over the retriever's features, trained on every stored question."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.sparse import spmatrix
from sklearn.svm import LinearSVC

REGULARIZATION = 0.2  # LinearSVC C (chosen with TEMPERATURE on tests/eval/dev.yml, dev2.yml and dev3.yml)
TEMPERATURE = 0.5  # softens the margins into a distribution over topics


class TopicClassifier:
    """Learns which words mark a topic across all its questions, where nearest-question votes only see a few."""

    def __init__(
        self,
        features: Callable[[Sequence[str]], spmatrix],
        texts: Sequence[str],
        topics: Sequence[str],
        matrix: spmatrix | None = None,
    ):
        """``matrix``, when given, is ``features(texts)`` already computed (the retriever has it from fitting)."""
        self._features = features
        self._model: LinearSVC | None = None
        if len(set(topics)) >= 2:
            fitted = matrix if matrix is not None else features(texts)
            self._model = LinearSVC(C=REGULARIZATION).fit(fitted, list(topics))

    def probabilities(self, text: str) -> dict[str, float]:
        """A softmax over the margins, per topic (empty when there is nothing to classify)."""
        if self._model is None or not text:
            return {}
        margins = np.asarray(self._model.decision_function(self._features([text]))).ravel()
        if len(margins) == 1:  # two topics: one margin, positive for the second
            margins = np.array([-margins[0], margins[0]])
        margins = margins / TEMPERATURE
        weights = np.exp(margins - margins.max())
        return dict(zip(self._model.classes_, (weights / weights.sum()).tolist(), strict=True))
