"""Topic classifier: a linear model over the retriever's features, trained on every stored question."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.sparse import csr_matrix, spmatrix

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
        self._weights: csr_matrix | None = None
        self._intercept = np.zeros(0)
        self._classes: list[str] = []
        if len(set(topics)) >= 2:
            from sklearn.svm import LinearSVC  # fitting only: serving never imports scikit-learn

            fitted = matrix if matrix is not None else features(texts)
            # Seeded, so that the same questions give the same weights at every build.
            model = LinearSVC(C=REGULARIZATION, random_state=0).fit(fitted, list(topics))
            # Only the fitted weights are kept, sparse (41 % are not zero), features × classes, so that a
            # question's few features pick their rows: 51 → 31 MiB, the margins of ``decision_function``.
            self._weights = csr_matrix(model.coef_.T)
            self._intercept = np.asarray(model.intercept_)
            self._classes = [str(c) for c in model.classes_]

    def probabilities(self, text: str) -> dict[str, float]:
        """A softmax over the margins, per topic (empty when there is nothing to classify)."""
        if self._weights is None or not text:
            return {}
        margins = (self._features([text]) @ self._weights).toarray().ravel() + self._intercept
        if len(margins) == 1:  # two topics: one margin, positive for the second
            margins = np.array([-margins[0], margins[0]])
        margins = margins / TEMPERATURE
        weights = np.exp(margins - margins.max())
        return dict(zip(self._classes, (weights / weights.sum()).tolist(), strict=True))
