"""The spaCy gazetteer component on spacy.blank("zh"), trained and loaded back from a model: places with codes and
aliases, dispute words."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.gazetteer import QingyuanGazetteer


@pytest.fixture(scope="module")
def component(gazetteer: QingyuanGazetteer) -> QingyuanGazetteer:
    return gazetteer


def entities(component: QingyuanGazetteer, text: str) -> list[tuple[str, str, list[str]]]:
    message = Message(data={"text": text})
    component.process([message])
    return [(e["entity"], e["value"], e["codes"]) for e in message.get("entities", [])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我在英德市浛洸镇", [("county", "英德市", ["441881"]), ("town", "浛洸镇", ["441881112"])]),
        ("英德浛洸", [("county", "英德", ["441881"]), ("town", "浛洸", ["441881112"])]),
        ("连南那边", [("county", "连南", ["441826"])]),
        ("下𱳪镇", [("town", "下𱳪镇", ["441881120"])]),
    ],
)
def test_places_with_codes_inside_longer_text(
    component: QingyuanGazetteer, text: str, expected: list
) -> None:
    assert entities(component, text) == expected


def test_ambiguous_village_carries_every_candidate(component: QingyuanGazetteer) -> None:
    (found,) = entities(component, "田心村")
    assert found[0] == "village" and len(found[2]) > 1


def test_one_dispute_type_per_message(component: QingyuanGazetteer) -> None:
    found = entities(component, "邻居家漏水，还欠我钱")
    assert [(e, v) for e, v, _ in found] == [("dispute_type", "neighbor")]


def test_nothing_in_plain_text(component: QingyuanGazetteer) -> None:
    assert entities(component, "你好，我想问个问题") == []
    assert entities(component, "") == []


def test_the_tokenizer_cuts_text_the_same_in_training_and_when_serving(tmp_path) -> None:
    """Created for training, then loaded from the model (as Rasa does while training), the dictionaries count once:
    the text is cut as a freshly loaded model cuts it."""
    import jieba
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.tokenizer import QingyuanJiebaTokenizer
    from tests.nlu.conftest import trained_and_loaded_tokenizer

    text = "征地款村里分配不公平，我们几户想申请调解"
    before = jieba.dt.total
    tokenizer = trained_and_loaded_tokenizer(QingyuanJiebaTokenizer, tmp_path)
    once = jieba.dt.total
    tokenizer_again = trained_and_loaded_tokenizer(QingyuanJiebaTokenizer, tmp_path / "again")
    assert jieba.dt.total == once >= before  # the second create and load add nothing
    message = Message(data={"text": text})
    tokens = [t.text for t in tokenizer_again.tokenize(message, "text")]
    assert "分配不公" not in tokens and "分配" in tokens
    assert [t.text for t in tokenizer.tokenize(message, "text")] == tokens
