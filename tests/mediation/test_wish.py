"""Mediation wish rules: "please mediate my dispute" vs a question about the mediation service."""

import pytest

from bot.mediation.wish import WishRules
from tests.paths import KNOWLEDGE

RULES = WishRules.load(KNOWLEDGE)


@pytest.mark.parametrize(
    "text",
    [
        "隔壁起屋挡住我家窗口，吵了半年，想请村委帮我们调解",
        "老板拖欠工资三个月，可以帮我调解一下吗",
        "两兄弟为了老屋分不拢，想揾人嚟评评理",
        "在连州，我家和堂兄的宅基地界线有争议，申请调解",
        "物业乱收停车费，想请社区出面协调",
    ],
)
def test_a_dispute_with_a_wish_to_mediate(text: str) -> None:
    assert RULES.wants_mediation(text)


@pytest.mark.parametrize(
    "text",
    [
        "人民调解收不收费",
        "调解协议有法律效力吗",
        "调解不成怎么办",
        "申请调解要去哪里，要带什么",
        "对方不肯来调解，可以强制他来吗",
        "已经起诉了还能找人民调解吗",
        "邻居建房挡光怎么办",  # a legal question without any wish to mediate
        "",
    ],
)
def test_questions_about_the_service_or_the_law_are_not_requests(text: str) -> None:
    assert not RULES.wants_mediation(text)


def test_spaces_do_not_hide_a_wish() -> None:
    assert RULES.wants_mediation("想 申请 调解")


def test_round_trip_and_unknown_keys() -> None:
    assert WishRules.from_mapping(RULES.as_mapping()) == RULES
    with pytest.raises(ValueError):
        WishRules.from_mapping({"wishes": ["调解"]})


def test_where_to_apply_and_what_to_bring_is_a_question_about_the_service() -> None:
    asking = "如果我想申请人民调解，系去村委会定系司法所？要带咩资料？"
    assert RULES.asks_about_service(asking, tells_dispute=False)
    assert not RULES.asks_about_service(asking)  # with a dispute told, the wish words count
    assert RULES.asks_about_service("阳山县有没有人民调解委员会，在哪")


def test_asking_for_a_mediator_to_step_in_is_still_a_wish() -> None:
    text = "房东押金一直不退，跟他闹掰了，有没有调解员能帮我们说和说和"
    assert RULES.wants_mediation(text) and RULES.mentions_mediation(text)
    assert not RULES.asks_about_service(text)
