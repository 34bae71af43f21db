"""The built retriever kept on disk, keyed by a hash of what its index is built from, so a process loads it in a
fraction of a second instead of building it (about 10 s on this machine).

The key covers the entries' ids, topics, audiences and questions (not their answers, citations or next steps: an
edit of those reuses the index with the new entries), the teaching and outside questions, the jieba dictionaries,
the rules files the retriever reads, our code and the libraries' versions. A second file remembers each text's
words and sounds, so that after an entry is added only its own questions are analysed again.

The files are written by this project into var/ and read only from there (pickle runs code when it loads: never
point the cache at a folder others can write).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bot.hashing import tree_digest
from bot.knowledge.catalog import Catalog
from bot.knowledge.dictionaries import all_dictionaries
from bot.legal.retrieval import Analyses, Retriever

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent.parent
CODE = ("bot/legal", "bot/knowledge", "bot/compact_map.py", "bot/hashing.py", "bot/yamlfile.py")
LIBRARIES = ("scikit-learn", "numpy", "scipy", "jieba", "pypinyin")
TEACHING_FILES = ("topic_questions", "real_questions/train.yml", "legal/outside_questions.yml")
RULE_FILES = ("legal/audience.yml", "dialect.yml", "legal/followups.yml", "legal/topics.yml")
KEEP = 3  # cached retrievers kept (the newest); older ones are deleted when a new one is written


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def code_key() -> str:
    """Our code that builds the retriever, the libraries whose objects are stored, and Python itself."""
    salt = " ".join([sys.version, *(f"{name}={version(name)}" for name in LIBRARIES)])
    return tree_digest(ROOT, CODE, salt)


def analyses_key(catalog: Catalog) -> str:
    """What a text's words and sounds depend on: the code and the jieba dictionaries."""
    return _digest(code_key(), all_dictionaries(catalog))


def index_key(catalog: Catalog) -> str:
    """Everything the index is built from, and nothing an educator edits in an entry's answer.

    The questions that only teach (topic, real and outside questions) are keyed by their files' bytes, so a
    process that finds the index cached never parses them: the real questions' 1.4 MB of YAML left 40 MiB in the
    action server.
    """
    return _digest(
        analyses_key(catalog),
        [(e.id, e.topic, list(e.audiences), list(e.questions)) for e in catalog.entries],
        tree_digest(catalog.knowledge, TEACHING_FILES),
        tree_digest(catalog.knowledge, RULE_FILES),
    )


def load_or_build(catalog: Catalog, cache_dir: Path, build: Callable[[Analyses], Retriever]) -> Retriever:
    """The cached index answering with this catalog's entries, or a freshly built one (stored for next time)."""
    path = cache_dir / f"retriever-{index_key(catalog)[:24]}.pickle"
    cached = _read(path)
    if isinstance(cached, Retriever):
        return cached.with_entries(catalog.entries)
    memo_path = cache_dir / f"analyses-{analyses_key(catalog)[:24]}.pickle"
    memo = _read(memo_path)
    analyses = memo if isinstance(memo, Analyses) else Analyses()
    retriever = build(analyses)
    _write(retriever, path)
    _write(analyses, memo_path)
    return retriever


def _read(path: Path) -> object:
    if not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # a truncated or stale file is rebuilt, never fatal
        log.warning("cache file %s unreadable; building again", path.name, exc_info=True)
        return None


def _write(value: object, path: Path) -> None:
    """Write atomically (a reader sees the whole file or none) and keep only the newest KEEP of its kind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)
    kind = path.name.split("-", 1)[0]
    newest = sorted(path.parent.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in newest[KEEP:]:
        stale.unlink(missing_ok=True)
