"""`bot build` writes the dictionaries and the training data into the build folder, never the source tree; the
intent examples taken from knowledge/ are refreshed into data/ only when asked; the training config carries the
knowledge fingerprint and keeps our overrides last."""

import shutil
import subprocess
from pathlib import Path

import yaml

from bot.knowledge.entries import normalize
from bot.ops.build import (
    DATA,
    GENERATED,
    GENERATED_REAL,
    JIEBA,
    OUTSIDE,
    ask_legal_examples,
    build_all,
    write_intent_examples,
)
from bot.ops.training import scaled_config
from tests.paths import ROOT


def _source_tree_state() -> str:
    result = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "knowledge", "data"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_build_writes_only_into_the_build_folder(tmp_path: Path) -> None:
    before = _source_tree_state()
    written = build_all(ROOT, tmp_path)
    assert written and all(path.is_relative_to(tmp_path) for path in written)
    assert _source_tree_state() == before
    assert sorted(p.name for p in (tmp_path / JIEBA).iterdir()) == [
        "legal_terms.txt",
        "organizations.txt",
        "places.txt",
    ]
    assert (tmp_path / JIEBA / "legal_terms.txt").read_text("utf-8").splitlines() == (
        ROOT / "knowledge" / "jieba" / "legal_terms.txt"
    ).read_text("utf-8").splitlines()
    copied = sorted(p.relative_to(tmp_path / DATA) for p in (tmp_path / DATA).rglob("*"))
    assert copied == sorted(
        p.relative_to(ROOT / "data") for p in (ROOT / "data").rglob("*")
    )  # data/ as it is
    generated = yaml.safe_load((tmp_path / DATA / GENERATED).read_text("utf-8"))
    assert generated["nlu"][0]["intent"] == "ask_legal" and generated["nlu"][0]["examples"].count("\n") > 1000


def test_refreshing_the_intent_examples_takes_them_from_knowledge(tmp_path: Path, catalog) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    for path in (data / OUTSIDE, data / GENERATED, data / GENERATED_REAL):
        path.unlink()
    written = write_intent_examples(catalog, data)
    assert written == [data / OUTSIDE, data / GENERATED, data / GENERATED_REAL]
    outside = yaml.safe_load((data / OUTSIDE).read_text("utf-8"))["nlu"]
    assert [block["intent"] for block in outside] == ["out_of_scope"]
    assert [line[2:] for line in outside[0]["examples"].splitlines()] == catalog.outside_questions
    asked = {
        normalize(line[2:])
        for line in yaml.safe_load((data / GENERATED).read_text("utf-8"))["nlu"][0]["examples"].splitlines()
    }
    untaught = [e.id for e in catalog.entries if not any(normalize(q) in asked for q in e.questions)]
    assert untaught == []  # every entry's wording is taught when refreshed
    again = [path.read_bytes() for path in written]
    assert [path.read_bytes() for path in write_intent_examples(catalog, data)] == again  # stable


def test_a_rebuild_removes_files_that_are_no_longer_dictionaries(tmp_path: Path) -> None:
    (tmp_path / JIEBA).mkdir(parents=True)
    (tmp_path / JIEBA / "old_places.txt").write_text("旧地名 3000 ns\n", "utf-8")
    build_all(ROOT, tmp_path)
    assert not (tmp_path / JIEBA / "old_places.txt").exists()


def test_training_config_carries_the_knowledge_fingerprint() -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    scaled = scaled_config(config, 0.5, "abc123")
    ours = [c for c in scaled["pipeline"] if c["name"].startswith("bot.nlu.")]
    assert ours and all(c["knowledge_fingerprint"] == "abc123" for c in ours)
    diet = next(c for c in scaled["pipeline"] if c["name"] == "DIETClassifier")
    assert diet["epochs"] == round(config_epochs(config, "DIETClassifier") * 0.5)
    jieba = next(c for c in scaled["pipeline"] if c["name"] == "bot.nlu.tokenizer.QingyuanJiebaTokenizer")
    assert jieba["dictionary_path"] == f"var/build/{JIEBA}"  # where `bot build` puts every dictionary
    assert scaled["pipeline"][-1]["name"] == "bot.nlu.emergency.EmergencyOverride"  # nothing may override it
    assert (
        [c["name"] for c in scaled["pipeline"][-3:-1]]
        == [
            "bot.nlu.scope.OutOfScopeOverride",  # after the fallback, so a question not understood is still checked
            "bot.nlu.mediation_wish.MediationWishOverride",  # a wish to mediate wins over the out-of-scope subject
        ]
    )


def config_epochs(config: dict, name: str) -> int:
    return next(c["epochs"] for c in config["pipeline"] if c["name"] == name)


def test_ask_legal_examples_take_entries_and_topic_questions_once(catalog) -> None:
    reserved_text = catalog.entries[0].questions[0]
    examples = ask_legal_examples(catalog, {normalize(reserved_text)}, per_entry=2, per_topic=3)
    keys = [normalize(text) for text in examples]
    assert len(keys) == len(set(keys)) and normalize(reserved_text) not in keys
    asked = {normalize(q.text): q.topic for q in catalog.topic_questions}
    from_topics = [asked[k] for k in keys if k in asked]
    assert set(from_topics) == {q.topic for q in catalog.topic_questions}  # every topic is represented
    assert all(from_topics.count(topic) <= 3 for topic in set(from_topics))


def test_an_entry_added_since_the_refresh_is_reported_untaught(tmp_path: Path) -> None:
    from bot.knowledge.catalog import Catalog
    from bot.ops.build import untaught_entries

    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    labor = knowledge / "qa" / "labor.yml"
    text = labor.read_text(encoding="utf-8")
    entry = text[text.index("  - id: labor.001") : text.index("  - id: labor.002")]
    entry = entry.replace("labor.001", "labor.999").replace(
        "question: ", "question: 包工头跑路了工钱找谁要", 1
    )
    entry = "\n".join(line for line in entry.splitlines() if not line.startswith("      - ")) + "\n"
    entry = entry.replace(
        "    paraphrases:\n", "    paraphrases: [工地老板卷款跑了, 工钱被包工头拐走了, 包工头失联欠薪]\n"
    )
    labor.write_text(text + entry, encoding="utf-8")
    assert untaught_entries(Catalog(knowledge), ROOT / "data") == ["labor.999"]
