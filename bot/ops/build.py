"""`bot build`: everything training reads that is derived from the source tree, built into var/build/; and, only
when asked, the intent examples taken from knowledge/ into data/.

``jieba/`` holds every jieba dictionary (the hand-written ones copied from knowledge/jieba/, plus places and
organizations). ``data/`` is what `rasa train` reads, a copy of data/.

The intent model learns intents, not the knowledge base: the questions it takes from knowledge/ (entries' questions,
topic questions, real citizens' questions, the questions that need a lawyer) are written into data/nlu/generated/
and data/nlu/out_of_scope.yml by `bot build --intent-examples`, reviewed and committed like any training data. So a
new entry, an edited answer or citation is live through `bot knowledge publish` and never retrains the model; the
next deliberate refresh (then `make train` and the evaluations) teaches the intent model its wording too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.knowledge.catalog import Catalog
from bot.knowledge.dictionaries import all_dictionaries
from bot.knowledge.entries import normalize

PER_ENTRY = (
    8  # training examples per entry for DIET (spread over its list); the retriever uses every paraphrase
)
PER_TOPIC = 40  # questions labelled only by topic (knowledge/topic_questions/) added per topic for DIET
# Real citizens' questions (knowledge/real_questions/): answerable ones per topic to ask_legal, and those that need a
# lawyer to out_of_scope. With 20 per topic the intent model called a quarter of the real answerable development
# questions out of scope.
PER_REAL_TOPIC = 80
REAL_OUT_OF_SCOPE = 600
JIEBA = "jieba"  # config.yml's JiebaTokenizer dictionary_path is var/build/jieba
DATA = "data"  # rasa train reads var/build/data
GENERATED = Path("nlu") / "generated" / "ask_legal.yml"
GENERATED_REAL = Path("nlu") / "generated" / "real_questions.yml"
# Where data/nlu/out_of_scope.yml was before its questions moved to knowledge/legal/outside_questions.yml: the same
# path and order, so the intent model meets the same examples in the same place.
OUTSIDE = Path("nlu") / "out_of_scope.yml"


def write_jieba_dictionaries(catalog: Catalog, out: Path) -> list[Path]:
    """Every dictionary into one folder, as JiebaTokenizer's ``dictionary_path`` wants (old files removed)."""
    folder = out / JIEBA
    folder.mkdir(parents=True, exist_ok=True)
    dictionaries = all_dictionaries(catalog)
    for stale in folder.iterdir():
        if stale.name not in dictionaries:
            stale.unlink()
    written = []
    for name, lines in dictionaries.items():
        path = folder / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _example(text: str) -> str:
    """One training example line; brackets would read as Rasa entity markup, so they become 【】."""
    return " ".join(text.replace("[", "【").replace("]", "】").split())


def ask_legal_examples(
    catalog: Catalog, reserved: set[str], per_entry: int = PER_ENTRY, per_topic: int = PER_TOPIC
) -> list[str]:
    """Questions from the knowledge base for the ``ask_legal`` intent, minus any used by another intent: some
    paraphrases of every entry, then some topic questions and some real citizens' questions of every topic (other
    writers, other words)."""
    seen = set(reserved)
    groups = [list(entry.questions) for entry in catalog.entries]
    spread = [per_entry] * len(groups)
    for topic in sorted({q.topic for q in catalog.topic_questions}):
        groups.append([q.text for q in catalog.topic_questions if q.topic == topic])
        spread.append(per_topic)
    real = [q for q in catalog.real_questions if q.kind == "answer" and q.topic]
    for topic in sorted({str(q.topic) for q in real}):
        groups.append([q.text for q in real if q.topic == topic])
        spread.append(PER_REAL_TOPIC)
    return [text for texts, count in zip(groups, spread, strict=True) for text in _spread(texts, count, seen)]


def _spread(texts: list[str], count: int, seen: set[str]) -> list[str]:
    """About ``count`` examples taken evenly from ``texts`` (short and long, old and new), none seen before."""
    step = max(1, -(-len(texts) // count))  # ceil
    picked = []
    for text in texts[::step]:
        key = normalize(text)
        if key and key not in seen:
            seen.add(key)
            picked.append(_example(text))
    return picked


def real_examples(catalog: Catalog, reserved: set[str]) -> dict[str, list[str]]:
    """Real citizens' questions for the intents they should get: a spread of those that need a lawyer for
    ``out_of_scope``, and every danger happening now for ``emergency``."""
    seen = set(reserved)
    by_kind = {
        kind: [q.text for q in catalog.real_questions if q.kind == kind]
        for kind in ("out_of_scope", "emergency")
    }
    return {
        "out_of_scope": _spread(by_kind["out_of_scope"], REAL_OUT_OF_SCOPE, seen),
        "emergency": _spread(by_kind["emergency"], len(by_kind["emergency"]), seen),
    }


def hand_written_examples(data_dir: Path) -> set[str]:
    """Normalised examples already in data/nlu/*.yml (so generated data never duplicates them)."""
    found = set()
    for path in data_dir.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- ") and not stripped.startswith("- intent:"):
                found.add(normalize(stripped[2:]))
    return found


def write_intent_examples(catalog: Catalog, data_dir: Path) -> list[Path]:
    """Refresh data/'s examples taken from knowledge/ (the source tree, deliberately); returns the files."""
    outside = data_dir / OUTSIDE
    _write_intents(
        outside, {"out_of_scope": list(catalog.outside_questions)}, "knowledge/legal/outside_questions.yml"
    )
    reserved = hand_written_examples(data_dir / "nlu")
    examples = ask_legal_examples(catalog, reserved)
    _write_intents(
        data_dir / GENERATED, {"ask_legal": examples}, "knowledge/qa, topic_questions and real_questions"
    )
    real = real_examples(catalog, reserved | {normalize(text) for text in examples})
    _write_intents(data_dir / GENERATED_REAL, real, "knowledge/real_questions")
    return [outside, data_dir / GENERATED, data_dir / GENERATED_REAL]


def untaught_entries(catalog: Catalog, data_dir: Path) -> list[str]:
    """Entries none of whose questions is an intent example yet (added since the last refresh): they are answered
    already, through the retriever; a refresh and a retraining teach the intent model their wording."""
    taught = set()
    for path in (data_dir / "nlu").rglob("*.yml"):
        taught |= {
            normalize(line.strip()[2:])
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("- ")
        }
    return [e.id for e in catalog.entries if not any(normalize(q) in taught for q in e.questions)]


def write_training_data(data_dir: Path, out: Path) -> Path:
    """A fresh copy of data/ where `rasa train` reads it; returns the folder."""
    target = out / DATA
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(data_dir, target)
    return target


def _write_intents(path: Path, intents: dict[str, list[str]], source: str) -> None:
    lines = [
        f"# Generated by `bot build --intent-examples` from {source} — do not edit; refresh, then retrain.",
        'version: "3.1"',
        "nlu:",
    ]
    for intent, examples in intents.items():
        lines += [f"  - intent: {intent}", "    examples: |", *(f"      - {text}" for text in examples)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_all(root: Path, out: Path) -> list[Path]:
    """Everything `bot build` writes from ``root``'s knowledge/ and data/ into ``out``; idempotent."""
    catalog = Catalog(root / "knowledge")
    return [*write_jieba_dictionaries(catalog, out), write_training_data(root / "data", out)]
