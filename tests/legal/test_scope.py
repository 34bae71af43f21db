"""Out-of-scope subjects: questions that need a lawyer are referred, look-alikes in scope are left alone."""

import pytest

from bot.knowledge.entries import load_entries
from bot.legal.scope import ScopeRules
from tests.paths import KNOWLEDGE

RULES = ScopeRules.load(KNOWLEDGE)


@pytest.mark.parametrize(
    "text",
    [
        "我发明了一个采茶机，想申请专利要多久",
        "个体户增值税点报，少报咗会唔会罚",
        "公司给的期权离职后还能行权吗",
        "去加拿大的签证被拒了能申诉吗",
        "我老婆是越南人，现在回越南了，我想在国内起诉离婚",
        "我老公因为诈骗被刑拘，律师说可以认罪认罚，我们要不要认",
        "公司资不抵债，想申请破产",
        "發明專利申請要多長時間",
    ],
)
def test_subjects_that_need_a_lawyer(text: str) -> None:
    assert RULES.is_outside(text)


@pytest.mark.parametrize(
    "text",
    [
        "我妈被人拉进炒股群，说跟着老师买股票稳赚，已经转了十几万",  # a scam on an old person
        "对税务局的罚款决定不服，可以申请行政复议吗",
        "儿子犯事被抓了，请不起律师辩护怎么办",  # legal aid
        "离婚时股票和公积金算共同财产吗",
        "山林承包合同到期了，村里说要重新招标，我们种的树怎么办",
        "公司拖欠三个月工资不发",
    ],
)
def test_look_alikes_in_scope_are_left_to_the_model(text: str) -> None:
    assert not RULES.is_outside(text)


def test_no_knowledge_base_question_is_out_of_scope() -> None:
    for entry in load_entries(KNOWLEDGE / "qa"):
        for question in entry.questions:
            assert not RULES.is_outside(question), (entry.id, question)


def test_round_trip_and_unknown_keys() -> None:
    assert ScopeRules.from_mapping(RULES.as_mapping()) == RULES
    with pytest.raises(ValueError):
        ScopeRules.from_mapping({"outsde": ["专利"]})
