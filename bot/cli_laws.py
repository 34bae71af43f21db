"""The `bot` commands that keep answers true when a law changes: laws diff, knowledge stale and knowledge consistency."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.settings import get_settings


def cmd_laws_diff(args: argparse.Namespace) -> int:
    from bot.knowledge.entries import load_entries
    from bot.knowledge.law_diff import affected_entries, committed_laws, diff_statutes, load_side, report

    settings = get_settings()
    if bool(args.since) == bool(args.old):
        print("give either OLD (a folder or file of statutes) or --since REVISION", file=sys.stderr)
        return 2
    new_path = Path(args.new) if args.new else settings.knowledge_dir / "laws"
    try:
        old = committed_laws(settings.project_root, args.since) if args.since else load_side(Path(args.old))
        new = load_side(new_path)
    except (OSError, ValueError) as error:  # a missing path, a bad revision, a broken front matter
        print(f"cannot compare: {error}", file=sys.stderr)
        return 2
    if new_path.is_file() or (args.old and Path(args.old).is_file()):  # one law: compare only that law
        common = set(old.laws) & set(new.laws)
        old, new = (type(side)({k: v for k, v in side.laws.items() if k in common}) for side in (old, new))
    diffs = diff_statutes(old, new)
    entries = load_entries(Path(args.knowledge or settings.knowledge_dir) / "qa")
    print("\n".join(report(diffs, affected_entries(diffs, entries))))
    return 0


def cmd_knowledge_stale(args: argparse.Namespace) -> int:
    from bot.knowledge.entries import load_entries
    from bot.knowledge.review import stale_entries
    from bot.knowledge.statutes import StatuteIndex

    knowledge = get_settings().knowledge_dir
    entries = load_entries(knowledge / "qa")
    stale = stale_entries(entries, StatuteIndex.load(knowledge / "laws"))
    for item in stale:
        where = f"qa/{item.entry.source_file}:{item.entry.line}"
        print(f"{item.entry.id} ({where}): {'; '.join(item.reasons)}")
    print(f"{len(stale)} of {len(entries)} entries to review against the current texts")
    return 0


def cmd_knowledge_consistency(args: argparse.Namespace) -> int:
    from bot.knowledge.entries import load_entries
    from bot.knowledge.review import citation_differences, confirmed_differences
    from bot.knowledge.topics import Topics

    knowledge = get_settings().knowledge_dir
    confirmed = confirmed_differences(knowledge)
    differences = citation_differences(load_entries(knowledge / "qa"), Topics.load(knowledge))
    for diff in differences:
        mark = "confirmed" if diff.key in confirmed else "TO CONFIRM"
        cites = [", ".join(f"{c.law}{c.article}" for c in e.citations) for e in (diff.first, diff.second)]
        print(
            f"[{mark}] {diff.first.id} ({'/'.join(diff.first.audiences)}) ~ {diff.second.id} "
            f"({'/'.join(diff.second.audiences)}), similarity {diff.overlap:.2f}"
        )
        print(f"    {diff.first.question}  →  {cites[0]}")
        print(f"    {diff.second.question}  →  {cites[1]}")
        if diff.key in confirmed:
            print(f"    why: {confirmed[diff.key]}")
    waiting = sum(d.key not in confirmed for d in differences)
    print(f"{len(differences)} pairs, {waiting} to confirm (knowledge/legal/citation_differences.yml)")
    return 1 if waiting else 0


def add_law_commands(sub: Any, knowledge: Any) -> None:
    """`bot laws diff` beside the other top-level commands; `stale` and `consistency` under `bot knowledge`."""
    laws = sub.add_parser("laws", help="statute texts").add_subparsers(dest="l_command", required=True)
    diff = laws.add_parser(
        "diff", help="articles changed between two versions of the statutes, and the entries citing them"
    )
    diff.add_argument("old", nargs="?", help="the old statutes: a folder or one file")
    diff.add_argument(
        "new", nargs="?", help="the new statutes (default knowledge/laws): a folder or one file"
    )
    diff.add_argument(
        "--since", metavar="REVISION", help="compare with knowledge/laws as committed at a git revision"
    )
    diff.add_argument(
        "--knowledge", help="the knowledge folder whose entries are checked (default knowledge/)"
    )
    diff.set_defaults(func=cmd_laws_diff)
    knowledge.add_parser(
        "stale", help="entries never reviewed, or reviewed against a law version since replaced"
    ).set_defaults(func=cmd_knowledge_stale)
    knowledge.add_parser(
        "consistency", help="entries of different audiences answering one question with different citations"
    ).set_defaults(func=cmd_knowledge_consistency)
