"""Published knowledge: validated copies of knowledge/ under var/knowledge/<hash>/, and a pointer to the live one.

Publishing copies the folder first and checks the copy, so what goes live is exactly what was checked even if
someone edits knowledge/ meanwhile. The pointer (``current.json``) is replaced in one rename: a reader sees the old
release or the new one. A refused publish changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bot.hashing import tree_digest
from bot.knowledge.check import check_knowledge

POINTER = "current.json"
KEEP = 5  # releases kept on disk (the live one always among them)
IGNORED = shutil.ignore_patterns("__pycache__", ".*")


@dataclass(frozen=True)
class Release:
    """One published version of the knowledge folder."""

    digest: str
    folder: Path
    published_at: str


class PublishRefused(Exception):
    """The knowledge folder has problems (``file:line: reason`` each); the live release stays."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the knowledge folder")
        self.problems = problems

    def __reduce__(self) -> tuple[type[PublishRefused], tuple[list[str]]]:
        return PublishRefused, (self.problems,)  # raised in a child process (publish_in_child), read here


def current(releases: Path) -> Release | None:
    """The live release, or None when nothing was published (or its folder is gone)."""
    try:
        raw = json.loads((releases / POINTER).read_text(encoding="utf-8"))
        release = Release(str(raw["digest"]), releases / str(raw["digest"]), str(raw["published_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return release if release.folder.is_dir() else None


def publish(knowledge: Path, releases: Path, prepare: Callable[[Path], object]) -> Release:
    """Check a copy of ``knowledge``, let ``prepare`` build what servers will load from it (an error there refuses
    the release too), then make it live. Raises PublishRefused with the problems."""
    releases.mkdir(parents=True, exist_ok=True)
    staging = releases / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(knowledge, staging, ignore=IGNORED)
    try:
        problems = check_knowledge(staging)
        if problems:
            raise PublishRefused(problems)
        digest = tree_digest(staging, ["."])[:16]
        folder = releases / digest
        if not folder.is_dir():
            try:
                os.replace(staging, folder)
            except OSError:  # another process published the same content a moment ago
                if not folder.is_dir():
                    raise
        os.utime(folder)  # the newest release, whatever its age: never pruned next
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    try:
        prepare(folder)
    except Exception as error:  # a loader that fails on this content: refuse it, keep the live one
        raise PublishRefused([f"{type(error).__name__}: {error}"]) from error
    release = Release(digest, folder, datetime.now(timezone.utc).isoformat(timespec="seconds"))
    _point_to(release, releases)
    _prune(releases, keep=release.digest)
    return release


def _point_to(release: Release, releases: Path) -> None:
    temporary = releases / f".{POINTER}.{os.getpid()}.tmp"
    body = {"digest": release.digest, "published_at": release.published_at}
    temporary.write_text(json.dumps(body), encoding="utf-8")
    os.replace(temporary, releases / POINTER)


def _prune(releases: Path, keep: str) -> None:
    """Keep the newest KEEP releases and the live one; a server still pinned to an older one has it in memory."""
    folders = sorted(
        (p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for stale in folders[KEEP:]:
        if stale.name != keep:
            shutil.rmtree(stale, ignore_errors=True)
