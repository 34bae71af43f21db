"""CompactMap: a read-mostly str → int mapping kept in two arrays, an eighth of a dict's memory (jieba, vocabularies)."""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left
from collections.abc import Mapping

import numpy as np


def key_hash(key: str) -> int:
    """A 64-bit hash that is the same in every process (Python's own ``hash`` of a str is salted per process)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


class CompactMap:
    """The keys' 64-bit hashes, sorted, and their values, in two arrays; words added later go into a small dict.

    jieba's prefix dictionary (517,546 words and prefixes) takes 60 MiB as a dict and 8 MiB here; the retriever's
    character n-gram vocabulary 32 MiB and 3 MiB. Only lookups are offered (``in``, ``[]``, ``get``, ``len``), which
    is all jieba and scikit-learn's vectorizers do with them once built; the keys themselves are not kept, so the
    mapping cannot be listed. Two different keys share a hash with a probability of about 10⁻¹⁴ per lookup.
    """

    __slots__ = ("_added", "_hashes", "_values")

    def __init__(self, items: Mapping[str, int]):
        hashes = np.fromiter(map(key_hash, items.keys()), dtype=np.uint64, count=len(items))
        values = np.fromiter(items.values(), dtype=np.int64, count=len(items))
        order = np.argsort(hashes)
        hashes, values = hashes[order], values[order]
        if np.any(hashes[1:] == hashes[:-1]):
            raise ValueError("two keys share a 64-bit hash; keep this mapping as a dict")
        # bisect reads an array.array in C, a numpy array element by element through Python
        self._hashes = array("Q", hashes.tobytes())
        self._values = array("q", values.tobytes())
        self._added: dict[str, int] = {}

    def _index(self, key: str) -> int:
        wanted = key_hash(key)
        index = bisect_left(self._hashes, wanted)
        return index if index < len(self._hashes) and self._hashes[index] == wanted else -1

    def __getitem__(self, key: str) -> int:
        if key in self._added:
            return self._added[key]
        index = self._index(key)
        if index < 0:
            raise KeyError(key)
        return self._values[index]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (key in self._added or self._index(key) >= 0)

    def get(self, key: str, default: int | None = None) -> int | None:
        try:
            return self[key]
        except KeyError:
            return default

    def __setitem__(self, key: str, value: int) -> None:
        """A word added after compaction (jieba's ``add_word``): changed in place if present, else kept aside."""
        index = self._index(key)
        if index >= 0 and key not in self._added:
            self._values[index] = value
        else:
            self._added[key] = value

    def __len__(self) -> int:
        return len(self._hashes) + sum(1 for key in self._added if self._index(key) < 0)

    def __getstate__(self) -> tuple[array, array, dict[str, int]]:
        return self._hashes, self._values, self._added

    def __setstate__(self, state: tuple[array, array, dict[str, int]]) -> None:
        self._hashes, self._values, self._added = state
