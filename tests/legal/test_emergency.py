"""Emergencies are detected by phrase, in every category, and ordinary questions are not."""

import pytest
import yaml

from bot.legal.emergency import EmergencyRules
from tests.paths import KNOWLEDGE, ROOT

RULES = EmergencyRules.load(KNOWLEDGE)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("他现在拿刀在砍门", "violence"),
        ("救命，我老公正在打我", "violence"),
        ("我不想活了", "suicide"),
        ("我 不 想 活 了", "suicide"),
        ("看到别人家小孩被打得很惨，能报警吗", "child_danger"),  # asked in the moment: 110 first
        ("邻居家小孩被锁在屋里哭了一天", "child_danger"),
        ("我正在给对方转账，他说是公安局的", "scam_transfer"),
        ("他们叫我把钱转到安全账户", "scam_transfer"),
        ("老伴突然晕倒叫唔醒", "medical"),
        ("厨房着火了", "fire"),
        ("我现在被他锁在房间里", "violence"),
        ("孩子不见了，找了一下午", "child_danger"),
        ("活着没意思，遗书都写好了", "suicide"),
        ("我个女喺商场门口唔见咗", "child_danger"),
        ("有人拉住个小孩往车上拖", "child_danger"),
        ("我正准备转第二笔钱过去", "scam_transfer"),
        ("他叫我现在打开屏幕共享", "scam_transfer"),
        ("阿爷突然讲唔到嘢", "medical"),
        ("厨房一股好大煤气味", "medical"),
        ("有人在楼下泼汽油", "violence"),
        # added in the sixth session (written for this test, not taken from an evaluation set)
        ("我老豆割草时被蛇咬了，脚已经肿起来", "medical"),
        ("细佬仔跌咗落鱼塘", "medical"),
        ("我妹被带去一个地方，手机同身份证都收咗，佢哋睇得好实", "violence"),
        ("客服叫我而家即刻用信用卡套现还款", "scam_transfer"),
        ("女儿放学到现在还没回来，天都黑了", "child_danger"),
        ("他们限制我人身自由，还动手打我", "violence"),
        ("我被关在厂里，手机都不给用", "violence"),
    ],
)
def test_detects(text: str, category: str) -> None:
    assert RULES.detect(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "子女不给赡养费怎么办",
        "我想申请调解",
        "同学打架了学校怎么处理",
        "被骗了怎么报警",
        "现在打电话都是空号，钱还能要回来吗",
        "包工头现在电话也打不通了",
        "前年我昏迷了很久，现在康复了",
        "老师把我手机收了，合法吗",
        "公司限制员工人身自由违法吗",
        "家长不让孩子用手机算不算侵权",
        "去年被蛇咬了住院，村里要不要赔",
        "上个月孩子跌落鱼塘，鱼塘主有没有责任",
        "",
    ],
)
def test_ordinary_questions_are_not_emergencies(text: str) -> None:
    assert RULES.detect(text) is None


def test_every_category_has_patterns_numbers_and_a_reply() -> None:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    assert RULES.codes[0] == "child_danger"  # checked first: "小孩被锁在屋里" is not plain violence
    for category in RULES.categories:
        assert RULES.patterns[category.code], category.code
        assert category.call and all(number.isdigit() for number in category.call), category.code
        assert f"utter_emergency_{category.code}" in responses, category.code
    assert RULES.category("suicide").call == ("110", "120", "12355")
    assert RULES.category("fire").call[0] == "119"


def test_an_unknown_or_missing_category_is_treated_as_violence() -> None:
    assert RULES.category(None).code == RULES.category("weather").code == "violence"


@pytest.mark.parametrize(
    "raw",
    [
        {"categories": {"violence": {"call": ["110"], "patterns": ["打我"]}}, "weather": {}},
        {"categories": {"violence": {"call": ["110"]}}, "guards": {"someday": ["明天"]}},
        {"categories": {"fire": {"call": ["119"], "patterns": ["着火"]}}},  # no violence to fall back on
        {"categories": {"violence": {"patterns": ["打我"]}}},  # nothing to call
    ],
)
def test_malformed_rules_are_refused(raw: dict) -> None:
    with pytest.raises(ValueError):
        EmergencyRules.from_mapping(raw)


def test_rules_survive_the_round_trip_through_the_model() -> None:
    assert EmergencyRules.from_mapping(RULES.as_mapping()) == RULES


@pytest.mark.parametrize(
    "text",
    [
        "威胁说要杀我全家算不算家暴",
        "安全账户是骗局吗",
        "上个月他拿刀吓我，可以申请保护令吗",
        "去年邻居家小孩被虐待，这算不算犯法",
        "我六十五岁还在工地打散工，搬砖时摔伤了，老板要赔吗",
    ],
)
def test_a_legal_question_about_past_danger_is_not_forced_to_emergency(text: str) -> None:
    assert RULES.detect(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("他现在拿刀在砍门，这算不算违法", "violence"),
        ("我想死的心都有了，这算不算校园欺凌", "suicide"),  # suicide is never held back
        ("上个月被老公打，算不算家暴，我真的想死", "suicide"),  # even after a held-back category matched
    ],
)
def test_danger_now_or_suicide_wins_over_a_legal_question(text: str, category: str) -> None:
    assert RULES.detect(text) == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我爸刚才触电了，叫他没反应", "medical"),
        ("我在房间里烧炭", "suicide"),
        ("他喝醉了又要打人，快报警", "violence"),
        ("对方叫我马上去ATM转钱", "scam_transfer"),
        ("有个男的一路跟着我，我现在躲在商店里", "violence"),
    ],
)
def test_more_ways_of_saying_danger_now(text: str, category: str) -> None:
    assert RULES.detect(text) == category


def test_a_past_medical_dispute_is_not_an_emergency() -> None:
    assert RULES.detect("上个月孩子在诊所打完针就抽筋，医院说不关他们事，能告吗") is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我阿爸啱啱饮咗农药", "medical"),
        ("有个男人一路跟住我，依家仲喺后面", "violence"),
        ("佢叫我即刻去ATM转账", "scam_transfer"),
        ("我而家企喺柜员机前面，佢叫我转账", "scam_transfer"),
    ],
)
def test_cantonese_ways_of_saying_danger_now(text: str, category: str) -> None:
    assert RULES.detect(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "上个礼拜有人叫我将钱转去安全账户，我转咗，钱仲追得返吗",
        "佢打我我报警，派出所唔理，可唔可以叫派出所出告诫书",
        "村委说山上的松树是集体的，现在要砍了卖，我们有没有份",
        "阿妈打完针过敏休克，我哋想做医疗事故鉴定，点申请",
    ],
)
def test_legal_questions_about_past_danger_in_cantonese_are_not_forced(text: str) -> None:
    assert RULES.detect(text) is None


def test_a_cantonese_question_about_compensation_holds_back_a_past_injury() -> None:
    assert RULES.asking_about_law("超市滑倒跌断手要唔要赔")
    assert RULES.asking_about_law("上个月喺工地跌落嚟，老细使唔使负责")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我屋企隔篱间铺头着紧火，烟攻晒入嚟", "fire"),
        ("有个老人在公交站台倒下了，嘴唇发紫", "medical"),
        ("我刚刚试过，没死成，手腕还在流血", "suicide"),
        ("这是我最后一条消息，谢谢所有人", "suicide"),
        ("客服让我开屏幕共享，现在要我输验证码", "scam_transfer"),
        ("对方说不要挂电话，让我去柜台把定期取出来", "scam_transfer"),
        ("我被骗到一个村里，他们不让我离开，这是借别人的手机偷偷发的", "violence"),
        ("他们说不还钱就剁手指，我现在还被关在这里", "violence"),
        ("我女儿网上认识的人让她今晚出来见面，她已经出门了", "child_danger"),
        ("幼儿园老师说孩子被一个自称舅舅的人接走了", "child_danger"),
        ("欠的钱还不上，整瓶药都吞下去了，只想问我死了以后债会不会落到孩子头上", "suicide"),
        ("佢饮醉酒，宜家踢紧我间房门，我同细佬躲喺入面", "violence"),
        ("我舅父揸住把砍刀喺门口，话唔签字就劈人", "violence"),
    ],
)
def test_danger_described_without_the_usual_words(text: str, category: str) -> None:
    assert RULES.detect(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "前夫说不给他孩子抚养权他就去死，这是拿自杀来要挟，法院判抚养权会考虑这个吗",
        "前年离婚时前夫威胁说不给钱就自杀，我被逼签了协议，现在可以撤销吗",
        "我弟以前吃安眠药自杀被救回来了，保险公司说不赔医药费，这样合理吗",
        "客服叫我开屏幕共享，可信吗",
        "吃了饭店的菜食物中毒住院三天，现在出院了，能要求饭店赔多少",
    ],
)
def test_a_past_attempt_or_a_threat_used_as_leverage_is_a_legal_question(text: str) -> None:
    assert RULES.detect(text) is None


def test_suicide_now_is_never_held_back_by_a_legal_question() -> None:
    assert RULES.detect("他以前就说过要自杀，现在站在楼顶上了，算不算我的责任") == "suicide"


@pytest.mark.parametrize(
    "text",
    [
        "有个自称公安的人打电话说我涉嫌洗钱，要我把钱转到安全账户，我没转直接挂了，这种要不要报警",
        "儿子一喝醉就推我骂我，上次把我推倒在地上。我七十多了，能申请那个不准他靠近的令吗",
        "邻居两公婆经常把五岁的孩子一个人锁在家里，自己出去打麻将，这种情况能找居委吗",
        "网上认识的男朋友带我在平台投注，亏了二十万，现在平台打不开，人也拉黑了，我还能报警吗",
        "16岁放火烧了别人家柴房，要负刑事责任吗",
        "在游乐场玩跳楼机受伤，园方说签了免责，算数吗",
    ],
)
def test_danger_that_is_over_or_habitual_is_not_forced_to_emergency(text: str) -> None:
    assert RULES.detect(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("他经常打我，现在又拿刀冲过来了", "violence"),
        ("上次没转，现在他又叫我马上转到安全账户", "scam_transfer"),
        ("我好朋友刚给我发消息说以后帮我照顾好我爸妈，然后就关机了，她之前说过想跳河", "suicide"),
    ],
)
def test_now_or_suicide_still_wins_over_past_and_habit_words(text: str, category: str) -> None:
    assert RULES.detect(text) == category


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("我转了两千怎么办", True),
        ("转账了怎么追回", True),
        ("上个月被骗转了两千能追回吗", False),  # a question about a past transfer
        ("去年转了钱给网友被骗了，能报警吗", False),
        ("怎么识别刷单诈骗", False),
    ],
)
def test_time_before_topic_for_a_scam_question_that_says_the_money_is_gone(text: str, urgent: bool) -> None:
    found = RULES.urgent_for_topic(text, "telecom_fraud")
    assert (found is not None and found.code == "scam_transfer") == urgent
    assert RULES.urgent_for_topic(text, "debt") is None  # "借钱转了两万" is no scam


@pytest.mark.parametrize(
    "text",
    [
        "感冒药吃下去了还是咳嗽怎么办",
        "降压药我已经吃了，医生开错药能索赔吗",
        "他说不还钱就去法院告我，我该怎么办",
    ],
)
def test_medicine_taken_and_a_lawsuit_threat_are_not_emergencies(text: str) -> None:
    assert RULES.detect(text) is None
