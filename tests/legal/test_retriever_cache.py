"""The retriever's disk cache: keyed by what the index is built from, and a hit parses no teaching question."""

import shutil
from pathlib import Path

import pytest

from bot.knowledge.catalog import Catalog
from bot.legal.retrieval import Analyses, Retriever
from bot.legal.retriever_cache import index_key, load_or_build
from tests.paths import KNOWLEDGE


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, copy)
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_key_follows_the_questions_and_not_the_answers(knowledge: Path) -> None:
    before = index_key(Catalog(knowledge))
    source = knowledge / "qa" / "elder_support.yml"
    lines = source.read_text("utf-8").splitlines()
    answer_line = lines[next(i for i, line in enumerate(lines) if line.strip() == "simple: >-") + 1]
    _edit(source, answer_line, answer_line + "（已更新）")
    assert any("（已更新）" in str(vars(e)) for e in Catalog(knowledge).entries)
    assert index_key(Catalog(knowledge)) == before  # an edited answer reuses the index
    real = knowledge / "real_questions" / "train.yml"
    real.write_text(real.read_text("utf-8") + "\n", encoding="utf-8")
    assert index_key(Catalog(knowledge)) != before  # a real question file changed: built again


def test_a_cache_hit_parses_no_teaching_question(knowledge: Path, tmp_path: Path) -> None:
    built: list[int] = []

    def build(analyses: Analyses) -> Retriever:
        built.append(1)
        return Retriever(Catalog(knowledge).entries, analyses=analyses)

    first = load_or_build(Catalog(knowledge), tmp_path / "cache", build)
    catalog = Catalog(knowledge)
    second = load_or_build(catalog, tmp_path / "cache", build)
    assert built == [1]
    assert (
        not {"real_questions", "teaching_questions", "topic_questions", "outside_questions"}
        & vars(catalog).keys()
    )
    question = "老板拖欠工资三个月不给怎么办"
    assert second.scores(question).tolist() == first.scores(question).tolist()


def test_the_key_covers_the_code_of_everything_the_cache_stores() -> None:
    """A stored retriever holds objects of our classes (CompactMap, FittedTfidf …): a change to any of them must
    change the key, or a process would load an index built by the old code."""
    import io
    import pickle

    from bot.legal.retriever_cache import CODE

    modules: set[str] = set()

    class Recorder(pickle.Pickler):
        def persistent_id(self, obj: object) -> None:
            for owner in (type(obj), obj):
                module = getattr(owner, "__module__", None)
                if isinstance(module, str) and module.startswith("bot."):
                    modules.add(module)

    retriever = Retriever(Catalog(KNOWLEDGE).entries[:40])
    Recorder(io.BytesIO()).dump(retriever)
    assert {"bot.compact_map", "bot.legal.tfidf", "bot.legal.retrieval"} <= modules
    for module in modules:
        path = module.replace(".", "/")
        assert any(path == c.removesuffix(".py") or path.startswith(c + "/") for c in CODE), module
