"""CompactMap answers every lookup as the dict it was built from, for jieba and for the retriever's vectorizers."""

import pickle

import jieba
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.compact_map import CompactMap


def test_lookups_match_the_dict() -> None:
    source = {"法院": 5, "法": 0, "调解": 12, "": 3}
    compact = CompactMap(source)
    for key, value in source.items():
        assert key in compact and compact[key] == value and compact.get(key) == value
    assert "起诉" not in compact and compact.get("起诉") is None and compact.get("起诉", 7) == 7
    assert 5 not in compact  # not a str
    with pytest.raises(KeyError):
        compact["起诉"]
    assert len(compact) == len(source)


def test_words_added_later_are_kept_and_counted_once() -> None:
    compact = CompactMap({"法院": 5})
    compact["法院"] = 9
    compact["人民调解"] = 2
    compact["人民调解"] = 4
    assert compact["法院"] == 9 and compact["人民调解"] == 4 and len(compact) == 2


def test_survives_pickling() -> None:
    compact = CompactMap({"法院": 5})
    compact["调解"] = 1
    copy = pickle.loads(pickle.dumps(compact))
    assert copy["法院"] == 5 and copy["调解"] == 1 and "起诉" not in copy


def test_jieba_cuts_the_same_with_compact_frequencies() -> None:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    tokenizer.add_word("人民调解委员会", 50)
    text = "我老公出轨了想离婚孩子归谁，老板拖欠工资五个月，去人民调解委员会申请调解要带什么"
    before = list(tokenizer.cut(text)), list(tokenizer.cut(text, HMM=False))
    tokenizer.FREQ = CompactMap(tokenizer.FREQ)  # type: ignore[assignment]
    tokenizer.add_word("清远调解", 30)  # adding after compaction still works
    assert (list(tokenizer.cut(text)), list(tokenizer.cut(text, HMM=False))) == before
    assert "清远调解" in tokenizer.lcut("我去清远调解")


def test_vectorizer_transforms_the_same_with_a_compact_vocabulary() -> None:
    texts = ["老板拖欠工资", "邻居噪音扰民", "借钱不还怎么办", "工资不发可以申请仲裁吗"]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit(texts)
    queries = ["拖欠工资三个月", "噪音", "完全无关的话"]
    before = vectorizer.transform(queries).toarray()
    vectorizer.vocabulary_ = CompactMap(vectorizer.vocabulary_)
    assert (vectorizer.transform(queries).toarray() == before).all()
