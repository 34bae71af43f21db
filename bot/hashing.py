"""Content hashes of files and folders: the training fingerprint, the retriever's cache key, knowledge releases."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def files_under(base: Path) -> list[Path]:
    """The files of a folder (sorted, no __pycache__), or the path itself when it is a file that exists."""
    if base.is_dir():
        return sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [base] if base.exists() else []


def tree_digest(root: Path, names: Iterable[str], salt: str = "") -> str:
    """SHA-256 over the relative paths and bytes of every file under ``root / name`` for each name, plus ``salt``."""
    digest = hashlib.sha256(salt.encode())
    for name in names:
        for path in files_under(root / name):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
