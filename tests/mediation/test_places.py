"""Place names and aliases resolve to NBS codes; ambiguity is reported, never guessed."""

import pytest

from bot.mediation.places import Gazetteer, is_real_village
from tests.paths import KNOWLEDGE


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(KNOWLEDGE)


def test_counts_match_the_statistics(gazetteer: Gazetteer) -> None:
    levels = [p.level for p in gazetteer.places.values()]
    assert levels.count("county") == 8
    assert sum(1 for p in gazetteer.places.values() if p.level == "town" and p.formal) == 85
    assert levels.count("village") == 1229
    assert not is_real_village("441802400498")


@pytest.mark.parametrize(
    ("text", "county", "town", "village"),
    [
        ("我在英德市浛洸镇", "英德市", "浛洸镇", None),
        ("英德浛洸", "英德市", "浛洸镇", None),
        ("连南", "连南瑶族自治县", None, None),
        ("我是连山的", "连山壮族瑶族自治县", None, None),
        ("清城区石角镇", "清城区", "石角镇", None),
        ("英德下𱳪", "英德市", "下石太镇", None),
        ("凤城街道高基里", "清城区", "凤城街道", "高基里社区居委会"),
        ("英德田心村", "英德市", "大湾镇", "田心村委会"),
        ("清新县太和镇", "清新区", "太和镇", None),
    ],
)
def test_resolves_names_and_aliases(
    gazetteer: Gazetteer, text: str, county: str, town: str, village: str
) -> None:
    location = gazetteer.resolve(text)
    assert not location.ambiguous
    assert (location.county.name if location.county else None) == county
    assert (location.town.name if location.town else None) == town
    assert (location.village.name if location.village else None) == village


@pytest.mark.parametrize("text", ["田心村", "太平", "石角"])
def test_ambiguous_names_offer_choices(gazetteer: Gazetteer, text: str) -> None:
    location = gazetteer.resolve(text)
    assert location.ambiguous
    assert len({p.code for p in location.choices}) == len(location.choices) > 1


def test_common_words_are_not_places(gazetteer: Gazetteer) -> None:
    assert not gazetteer.resolve("我们要建设美好家园，光明正大").found
    assert gazetteer.resolve("光明社区").found


def test_full_name_reads_like_an_address(gazetteer: Gazetteer) -> None:
    assert gazetteer.full_name("441881120") == "英德市下石太镇"
    village = gazetteer.resolve("英德田心村").village
    assert village is not None and gazetteer.full_name(village.code) == "英德市大湾镇田心村"


def test_every_address_reads_back_as_its_place(gazetteer: Gazetteer) -> None:
    """A choice of places is offered by full name and chosen by that name (a button, or its number): each must
    mean exactly the unit it names, even 石潭镇's 白湾居委会 next to 白湾村 and 太平镇's 太平居委会."""
    for code in gazetteer.places:
        location = gazetteer.resolve(gazetteer.full_name(code))
        most_specific = location.village or location.town or location.county
        assert most_specific is not None and most_specific.code == code, gazetteer.full_name(code)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("英得浛光", "英德市浛洸镇"),
        ("羊山", "阳山县"),
        ("佛岗汤塘", "佛冈县汤塘镇"),
        ("英德石灰埔", "英德市石灰铺镇"),  # not 英德市 + 灰埔: the reading that covers the most wins
        ("阳山七拱镇新墟村", "阳山县七拱镇新圩村"),  # 圩 is read xū in Guangdong place names
        ("清城元潭镇", "清城区源潭镇"),  # the written 元潭 is a village in another county
        ("連州西岸鎮沖口村", "连州市西岸镇冲口村"),  # traditional characters
        (
            "清城区风城街道",
            "清城区凤城街道",
        ),  # a more specific reading by sound wins over the county alone
    ],
)
def test_a_typo_that_sounds_right_is_read_when_asked_where(
    gazetteer: Gazetteer, typed: str, meant: str
) -> None:
    assert gazetteer.describe(gazetteer.resolve(typed, by_sound=True)) == meant
    if typed in ("英得浛光", "羊山"):
        assert not gazetteer.resolve(typed).found  # as written, no name is found


def test_sound_is_only_a_fallback(gazetteer: Gazetteer) -> None:
    assert gazetteer.describe(gazetteer.resolve("英德市浛洸镇", by_sound=True)) == "英德市浛洸镇"
    assert not gazetteer.resolve("火星", by_sound=True).found
