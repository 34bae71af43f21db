"""Generated training inputs: jieba dictionaries cover every place, and entity annotations fall on tokens."""

import re
from pathlib import Path

import jieba
import pytest

from bot.build import build_all, gazetteer_patterns, jieba_lines

ROOT = Path(__file__).resolve().parents[2]
ENTITY = re.compile(r"\[([^\]]+)\](?:\(([^)]+)\)|\{[^}]*\})")


@pytest.fixture(scope="module")
def tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer loaded the way Rasa's JiebaTokenizer loads dictionary_path (every file in it)."""
    build_all(ROOT)
    tok = jieba.Tokenizer()
    for path in sorted((ROOT / "knowledge" / "jieba").iterdir()):
        tok.load_userdict(str(path))
    return tok


def test_dictionary_folder_holds_only_dictionary_files() -> None:
    for path in (ROOT / "knowledge" / "jieba").iterdir():
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), path
        for line in data.decode("utf-8").splitlines():
            parts = line.split(" ")
            assert len(parts) == 3 and parts[1].isdigit(), (path.name, line)


def test_every_place_surface_is_in_the_dictionary(catalog) -> None:
    places, orgs = jieba_lines(catalog)
    words = {line.split(" ")[0] for line in places}
    assert words == set(catalog.gazetteer.surfaces)
    assert len(orgs) == len({r.name for r in catalog.directory_rows})


def test_patterns_carry_codes(catalog) -> None:
    patterns = {p["pattern"]: p for p in gazetteer_patterns(catalog)}
    assert patterns["英德"] == {"label": "county", "pattern": "英德", "id": "441881"}
    assert patterns["浛洸镇"]["id"] == "441881112"
    assert patterns["邻居"] == {"label": "dispute_type", "pattern": "邻居", "id": "neighbor"}


def _annotated_examples() -> list[tuple[str, list[tuple[int, int, str]]]]:
    found = []
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()[2:] if line.strip().startswith("- ") else ""
            if "[" not in text:
                continue
            plain, spans, last = "", [], 0
            for m in ENTITY.finditer(text):
                plain += text[last : m.start()]
                spans.append((len(plain), len(plain) + len(m.group(1)), m.group(1)))
                plain += m.group(1)
                last = m.end()
            found.append((plain + text[last:], spans))
    return found


def test_entity_annotations_fall_on_token_boundaries(tokenizer: jieba.Tokenizer) -> None:
    examples = _annotated_examples()
    assert len(examples) > 20
    for text, spans in examples:
        bounds = {0}
        for _word, start, end in tokenizer.tokenize(text):
            bounds |= {start, end}
        for start, end, value in spans:
            assert start in bounds and end in bounds, f"{value!r} splits a token in {text!r}"


def test_training_config_carries_the_knowledge_fingerprint() -> None:
    import yaml

    from bot.training import scaled_config

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    scaled = scaled_config(config, 0.5, "abc123")
    ours = [c for c in scaled["pipeline"] if c["name"].startswith("bot.nlu.")]
    assert ours and all(c["knowledge_fingerprint"] == "abc123" for c in ours)
    diet = next(c for c in scaled["pipeline"] if c["name"] == "DIETClassifier")
    assert diet["epochs"] == round(config_epochs(config, "DIETClassifier") * 0.5)
    assert scaled["pipeline"][-1]["name"] == "bot.nlu.emergency.EmergencyOverride"  # nothing may override it
    overrides = [c["name"] for c in scaled["pipeline"][-3:]]
    assert (
        overrides[:2]
        == [
            "bot.nlu.scope.OutOfScopeOverride",  # after the fallback, so a question not understood is still checked
            "bot.nlu.mediation_wish.MediationWishOverride",  # a wish to mediate wins over the out-of-scope subject
        ]
    )


def config_epochs(config: dict, name: str) -> int:
    return next(c["epochs"] for c in config["pipeline"] if c["name"] == name)


def test_ask_legal_examples_take_entries_and_topic_questions_once(catalog) -> None:
    from bot.build import ask_legal_examples
    from bot.knowledge.entries import normalize

    reserved_text = catalog.entries[0].questions[0]
    examples = ask_legal_examples(catalog, {normalize(reserved_text)}, per_entry=2, per_topic=3)
    keys = [normalize(text) for text in examples]
    assert len(keys) == len(set(keys)) and normalize(reserved_text) not in keys
    asked = {normalize(q.text): q.topic for q in catalog.topic_questions}
    from_topics = [asked[k] for k in keys if k in asked]
    assert set(from_topics) == {q.topic for q in catalog.topic_questions}  # every topic is represented
    assert all(from_topics.count(topic) <= 3 for topic in set(from_topics))
