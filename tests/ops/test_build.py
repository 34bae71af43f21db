"""`bot build` writes the dictionaries and generated training data into the build folder, never the source tree;
the training config carries the knowledge fingerprint and keeps our overrides last."""

import subprocess
from pathlib import Path

import yaml

from bot.knowledge.entries import normalize
from bot.ops.build import DATA, GENERATED, GENERATED_REAL, JIEBA, OUTSIDE, ask_legal_examples, build_all
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
    generated = yaml.safe_load((tmp_path / DATA / GENERATED).read_text("utf-8"))
    assert generated["nlu"][0]["intent"] == "ask_legal" and generated["nlu"][0]["examples"].count("\n") > 1000
    copied = sorted(p.relative_to(tmp_path / DATA) for p in (tmp_path / DATA).rglob("*.yml"))
    sources = sorted(p.relative_to(ROOT / "data") for p in (ROOT / "data").rglob("*.yml"))
    assert copied == sorted(
        [*sources, GENERATED, GENERATED_REAL, OUTSIDE]
    )  # data/ and the generated examples


def test_the_written_out_of_scope_questions_train_the_intent_model_as_written(
    tmp_path: Path, catalog
) -> None:
    build_all(ROOT, tmp_path)
    written = yaml.safe_load((tmp_path / DATA / OUTSIDE).read_text("utf-8"))["nlu"]
    assert [block["intent"] for block in written] == ["out_of_scope"]
    examples = [line[2:] for line in written[0]["examples"].splitlines()]
    assert examples == catalog.outside_questions and len(examples) > 600
    assert not (ROOT / "data" / OUTSIDE).exists()  # one source: knowledge/legal/outside_questions.yml


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
