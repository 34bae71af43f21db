"""The phrase overrides, trained and loaded back from a model as Rasa runs them: emergency always wins; a mediation
wish corrects only legal-question intents; subjects that need a lawyer are out of scope."""

from collections.abc import Callable

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.emergency import EmergencyOverride
from bot.nlu.mediation_wish import MediationWishOverride
from bot.nlu.overrides import PhraseOverride
from bot.nlu.scope import OutOfScopeOverride
from tests.nlu.conftest import trained_and_loaded


def classified(text: str, intent: str) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.9})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.9}, {"name": "greet", "confidence": 0.1}])
    return message


PIPELINE = (OutOfScopeOverride, MediationWishOverride, EmergencyOverride)  # config.yml's order


@pytest.fixture(scope="module")
def overrides(tmp_path_factory: pytest.TempPathFactory) -> dict[type, PhraseOverride]:
    return {cls: trained_and_loaded(cls, tmp_path_factory.mktemp(cls.__name__)) for cls in PIPELINE}


@pytest.fixture(scope="module")
def run(overrides: dict[type, PhraseOverride]) -> Callable[[str, str], Message]:
    """A classified message through the three overrides in pipeline order."""

    def through_pipeline(text: str, intent: str) -> Message:
        message = classified(text, intent)
        for cls in PIPELINE:
            overrides[cls].process([message])
        return message

    return through_pipeline


@pytest.mark.parametrize("intent", ["ask_legal", "nlu_fallback", "out_of_scope"])
def test_a_wish_to_mediate_becomes_request_mediation(intent: str, run: Callable[[str, str], Message]) -> None:
    message = run("朋友借了我两万拖了一年都不还，能帮我们调解一下吗", intent)
    assert message.get("intent") == {"name": "request_mediation", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "request_mediation"
    assert [r["name"] for r in message.get("intent_ranking")].count("request_mediation") == 1


@pytest.mark.parametrize("intent", ["cancel", "check_status", "inform", "greet"])
def test_other_intents_are_left_alone(intent: str, run: Callable[[str, str], Message]) -> None:
    assert run("算了，不想调解了", intent).get("intent")["name"] == intent


def test_a_predicted_request_that_never_asks_for_mediation_is_answered(
    run: Callable[[str, str], Message],
) -> None:
    assert run("老板拖欠三个月工资，点算", "request_mediation").get("intent")["name"] == "ask_legal"
    assert run("想請村委會調解一下", "request_mediation").get("intent")["name"] == "request_mediation"
    assert run("我要调解", "request_mediation").get("intent")["name"] == "request_mediation"


@pytest.mark.parametrize("intent", ["ask_legal", "request_mediation"])
def test_a_question_about_the_service_is_a_legal_question(
    intent: str, run: Callable[[str, str], Message]
) -> None:
    assert run("人民调解要不要钱", intent).get("intent")["name"] == "ask_legal"
    assert run("调解协议签了对方反悔怎么办", intent).get("intent")["name"] == "ask_legal"


def test_danger_beats_a_wish_to_mediate(run: Callable[[str, str], Message]) -> None:
    message = run("他正在打我，快帮我调解", "ask_legal")
    assert message.get("intent")["name"] == "emergency"
    assert {"entity": "emergency_type", "value": "violence"}.items() <= message.get("entities")[0].items()


def test_an_untrained_override_changes_nothing() -> None:
    message = classified("想申请调解", "ask_legal")
    MediationWishOverride({}, None, None).process([message])  # type: ignore[arg-type]
    assert message.get("intent")["name"] == "ask_legal"


def test_a_predicted_emergency_without_danger_words_in_a_legal_question_is_answered(
    run: Callable[[str, str], Message],
) -> None:
    message = run("我老公喝醉酒就打人，打了十几年了，想申请保护令去哪里申请", "emergency")
    assert message.get("intent")["name"] == "ask_legal"


def test_a_predicted_emergency_is_kept_when_it_is_not_a_legal_question(
    run: Callable[[str, str], Message],
) -> None:
    assert run("我好惊，唔知点算，快啲来", "emergency").get("intent")["name"] == "emergency"
    # Said to be happening now: the question words do not hold it back.
    assert run("他现在又来了，算不算家暴我不管了", "emergency").get("intent")["name"] == "emergency"


def test_how_to_apply_without_a_dispute_is_a_question_but_with_one_a_request(
    overrides: dict[type, PhraseOverride], run: Callable[[str, str], Message]
) -> None:
    asking = "如果我想申请人民调解，要去哪里，要带什么材料"
    assert run(asking, "request_mediation").get("intent")["name"] == "ask_legal"
    message = classified(asking, "request_mediation")
    message.set("entities", [{"entity": "dispute_type", "value": "neighbor", "start": 0, "end": 2}])
    overrides[MediationWishOverride].process([message])
    assert message.get("intent")["name"] == "request_mediation"


@pytest.mark.parametrize("intent", ["ask_legal", "nlu_fallback"])
def test_a_subject_that_needs_a_lawyer_is_out_of_scope(
    intent: str, run: Callable[[str, str], Message]
) -> None:
    assert run("我发明了一个采茶机，想申请专利要多久", intent).get("intent")["name"] == "out_of_scope"


def test_out_of_scope_subjects_leave_other_intents_alone(run: Callable[[str, str], Message]) -> None:
    assert run("公司股东纠纷，想申请调解", "request_mediation").get("intent")["name"] == "request_mediation"


def test_an_emergency_carries_its_category_as_an_entity(run: Callable[[str, str], Message]) -> None:
    message = run("厨房着火了", "ask_legal")
    assert message.get("intent") == {"name": "emergency", "confidence": 1.0}
    assert message.get("entities")[-1]["value"] == "fire"
    assert message.get("entities")[-1]["extractor"] == "EmergencyOverride"


@pytest.mark.parametrize("text", ["１３８ ００１３ ５２０１", "我喺英德青塘镇住"])
def test_a_model_only_emergency_that_reads_as_an_intake_answer_is_an_answer(
    gazetteer, overrides, text: str
) -> None:
    message = classified(text, "emergency")
    gazetteer.process([message])
    for cls in PIPELINE:
        overrides[cls].process([message])
    assert message.get("intent")["name"] == "inform"


def test_a_danger_phrase_with_a_place_stays_an_emergency(gazetteer, overrides) -> None:
    message = classified("英德浛洸有人拿刀砍人", "ask_legal")
    gazetteer.process([message])
    for cls in PIPELINE:
        overrides[cls].process([message])
    assert message.get("intent")["name"] == "emergency"
