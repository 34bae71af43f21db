"""What changed between two versions of the statute files, and which entries cite an article that changed."""

from __future__ import annotations

import difflib
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.entries import Entry, normalize
from bot.knowledge.statutes import Article, Law, StatuteIndex, parse_law

LIKELY_SAME = (
    0.6  # an old article at least this similar to a new one of another number is reported as moved there
)


@dataclass(frozen=True)
class ArticleChange:
    """One article of one law: ``changed`` (same number, other text), ``removed`` or ``added``. A changed or removed
    article whose text is now (mostly) under another number names it in ``now`` with the similarity."""

    law: str
    kind: str
    article: str
    now: str | None = None
    similarity: float = 0.0


@dataclass(frozen=True)
class LawDiff:
    """The changes of one law between two versions (``old`` None: a new law; ``new`` None: a law taken out)."""

    name: str
    old: Law | None
    new: Law | None
    changes: tuple[ArticleChange, ...]


@dataclass(frozen=True)
class AffectedEntry:
    """An entry citing an article that changed, with the change."""

    entry: Entry
    law: str
    article: str
    change: ArticleChange


def _ratio(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= LIKELY_SAME else 0.0


def _closest(text: str, candidates: Iterable[Article]) -> tuple[str | None, float]:
    best: tuple[str | None, float] = (None, 0.0)
    plain = normalize(text)
    for candidate in candidates:
        score = _ratio(plain, normalize(candidate.text))
        if score > best[1]:
            best = (candidate.article, score)
    return best if best[1] >= LIKELY_SAME else (None, best[1])


def diff_law(name: str, old: Law | None, new: Law | None) -> LawDiff:
    """Every article of the law whose text is not the same under the same number, in article order."""
    before = {a.article: a for a in old.articles} if old else {}
    after = {a.article: a for a in new.articles} if new else {}
    changes: list[ArticleChange] = []
    for heading, article in before.items():
        current = after.get(heading)
        if current is not None and normalize(current.text) == normalize(article.text):
            continue
        now, score = _closest(article.text, after.values())
        kind = "removed" if current is None else "changed"
        changes.append(ArticleChange(name, kind, heading, now if now != heading else None, round(score, 2)))
    changes.extend(ArticleChange(name, "added", h) for h in after if h not in before)
    return LawDiff(name, old, new, tuple(changes))


def diff_statutes(old: StatuteIndex, new: StatuteIndex) -> list[LawDiff]:
    """The laws whose text differs between the two indexes (unchanged laws left out), by name."""
    diffs = []
    for name in sorted(set(old.laws) | set(new.laws)):
        diff = diff_law(name, old.laws.get(name), new.laws.get(name))
        if diff.changes or diff.old is None or diff.new is None:
            diffs.append(diff)
    return diffs


def affected_entries(diffs: list[LawDiff], entries: list[Entry]) -> list[AffectedEntry]:
    """Each entry citing an article that changed, was removed or now holds other text: what a reviewer re-reads."""
    changed = {(c.law, c.article): c for d in diffs for c in d.changes if c.kind != "added"}
    found = []
    for entry in entries:
        for cite in entry.citations:
            change = changed.get((cite.law, cite.article))
            if change is not None:
                found.append(AffectedEntry(entry, cite.law, cite.article, change))
    return found


def load_side(path: Path) -> StatuteIndex:
    """A folder of statute files, or a single file (one law); a path with neither is an error."""
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if path.is_file():
        law = parse_law(path)
        return StatuteIndex({law.name: law})
    return StatuteIndex.load(path)


def committed_laws(project: Path, revision: str, folder: str = "knowledge/laws") -> StatuteIndex:
    """The statute files as committed at a git revision (for ``bot laws diff --since HEAD``)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(project), *args], check=True, capture_output=True, text=True, timeout=60
        ).stdout

    listing = git("ls-tree", "-z", "--name-only", f"{revision}:{folder}")  # -z: file names unquoted
    names = [n for n in listing.split("\0") if n.endswith(".md") and n != "SOURCE.md"]
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            Path(tmp, name).write_text(git("show", f"{revision}:{folder}/{name}"), encoding="utf-8")
        return StatuteIndex.load(Path(tmp))


def _version(law: Law | None) -> str:
    if law is None:
        return "—"
    return f"{law.version or '?'}" + (f" (in force {law.effective})" if law.effective else "")


def report(diffs: list[LawDiff], affected: list[AffectedEntry]) -> list[str]:
    """The diff as lines for a reviewer: per law its versions and changed articles, then the entries to re-read."""
    lines: list[str] = []
    for diff in diffs:
        lines.append(f"{diff.name}: {_version(diff.old)} → {_version(diff.new)}")
        if diff.old is None or diff.new is None:
            lines.append(
                "  new law" if diff.old is None else "  law taken out: every citation of it is refused"
            )
        counts = {k: sum(c.kind == k for c in diff.changes) for k in ("changed", "removed", "added")}
        lines.append("  " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        for change in diff.changes:
            if diff.old is None:
                break
            moved = f" → now mostly {change.now} ({change.similarity:.2f})" if change.now else ""
            lines.append(f"  {change.kind:8} {change.article}{moved}")
    lines.append("")
    if not affected:
        lines.append("no entry cites a changed article")
    else:
        lines.append(f"{len({a.entry.id for a in affected})} entries cite a changed article; re-read them:")
        for item in affected:
            moved = f", text now mostly under {item.change.now}" if item.change.now else ""
            where = f"qa/{item.entry.source_file}:{item.entry.line}"
            lines.append(f"  {item.entry.id} ({where}): {item.law} {item.article} {item.change.kind}{moved}")
    return lines
