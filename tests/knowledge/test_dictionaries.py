"""Word lists derived from the catalog: every place and organization in jieba's dictionaries, gazetteer patterns
with codes, and entity annotations in the training data that fall on jieba's token boundaries."""

import re

import jieba
import pytest

from bot.knowledge.dictionaries import all_dictionaries, gazetteer_patterns, jieba_lines
from tests.paths import ROOT

ENTITY = re.compile(r"\[([^\]]+)\](?:\(([^)]+)\)|\{[^}]*\})")


@pytest.fixture(scope="module")
def tokenizer(catalog) -> jieba.Tokenizer:
    """A jieba tokenizer with every dictionary, in the order the retriever and JiebaTokenizer load them."""
    tok = jieba.Tokenizer()
    for lines in all_dictionaries(catalog).values():
        for line in lines:
            word, freq, tag = line.split(" ")
            tok.add_word(word, int(freq), tag)
    return tok


def test_every_dictionary_line_is_word_frequency_tag(catalog) -> None:
    dictionaries = all_dictionaries(catalog)
    assert list(dictionaries) == ["legal_terms.txt", "organizations.txt", "places.txt"]
    for name, lines in dictionaries.items():
        assert lines, name
        for line in lines:
            parts = line.split(" ")
            assert len(parts) == 3 and parts[1].isdigit() and not parts[0].startswith("\ufeff"), (name, line)


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
