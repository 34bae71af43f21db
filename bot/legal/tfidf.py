"""FittedTfidf: a fitted TfidfVectorizer's transform without scikit-learn, so that serving never imports it (43 MiB)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from bot.compact_map import CompactMap

WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's own, applied before character n-grams


class FittedTfidf:
    """The vectors scikit-learn's ``TfidfVectorizer.transform`` gives (scikit-learn 1.1: counts of the analyzer's
    features, 1 + log when sublinear, times the idf, rows scaled to unit length), from its vocabulary and idf.

    The retriever fits with scikit-learn and keeps this instead; a test compares both on the knowledge base's
    questions. ``analyzer`` is the vectorizer's callable analyzer; without one, the vectorizer's character n-grams
    of the lowercased text are used (the only other kind the retriever fits).
    """

    def __init__(self, vectorizer: Any, analyzer: Callable[[str], list[str]] | None = None):
        if analyzer is None and vectorizer.analyzer != "char":
            raise ValueError("only character n-grams or a callable analyzer are supported")
        self.vocabulary = CompactMap(vectorizer.vocabulary_)
        self.size = len(vectorizer.vocabulary_)
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.sublinear = bool(vectorizer.sublinear_tf)
        self.lowercase = bool(vectorizer.lowercase)
        self.ngram_range: tuple[int, int] = tuple(vectorizer.ngram_range)
        self.analyzer = analyzer
        if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.binary:
            raise ValueError("only sublinear or raw counts, idf and l2 rows are supported")

    def features(self, text: str) -> list[str]:
        """The analyzer's features of one text (scikit-learn's ``build_analyzer()(text)``)."""
        if self.analyzer is not None:
            return self.analyzer(text)
        text = WHITE_SPACES.sub(" ", text.lower() if self.lowercase else text)
        low, high = self.ngram_range
        return [
            text[i : i + n] for n in range(low, min(high, len(text)) + 1) for i in range(len(text) - n + 1)
        ]

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        """One row per text: its TF-IDF vector over the fitted vocabulary (unknown features are ignored)."""
        indptr, indices, counts = [0], list[int](), list[int]()
        for text in texts:
            found: dict[int, int] = {}
            for feature in self.features(text):
                index = self.vocabulary.get(feature)
                if index is not None:
                    found[index] = found.get(index, 0) + 1
            indices.extend(found)
            counts.extend(found.values())
            indptr.append(len(indices))
        matrix = csr_matrix(
            (np.asarray(counts, dtype=np.float64), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(len(texts), self.size),
        )
        matrix.sort_indices()
        if self.sublinear:
            np.log(matrix.data, matrix.data)
            matrix.data += 1
        matrix.data *= self.idf[matrix.indices]
        rows = np.repeat(np.arange(len(texts)), np.diff(matrix.indptr))
        norms = np.sqrt(np.bincount(rows, weights=matrix.data**2, minlength=len(texts)))
        norms[norms == 0] = 1.0
        matrix.data /= norms[rows]
        return matrix
