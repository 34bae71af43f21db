"""Qingyuan's counties, towns and villages (NBS 2023), the names people use for them, and resolving them in text."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin

from bot.knowledge.dialect import simplified
from bot.yamlfile import read_yaml

LEVELS = ("county", "town", "village")
NAMES_FILE = "places/names.yml"


@dataclass(frozen=True)
class Place:
    """One administrative unit with its NBS statistical code and the name people usually say (``short_name``:
    英德 for 英德市, 浛洸镇 as it is, 高基里社区 for 高基里社区居委会)."""

    code: str
    name: str
    level: str
    county_code: str
    town_code: str | None = None
    formal: bool = True
    short_name: str = ""


def _ending(words: list[str]) -> re.Pattern[str]:
    return re.compile("(" + "|".join(re.escape(w) for w in words) + ")$")


class PlaceNames:
    """How official names become what people say (knowledge/places/names.yml): suffixes, short names, aliases."""

    def __init__(self, raw: dict[str, Any]):
        self.city = str(raw["city"])
        self.formal_town_kinds = tuple(raw["formal_town_kinds"])
        self._suffix = {level: _ending(words) for level, words in raw["suffixes"].items()}
        self._village_drop = _ending(raw["village_name_drops"])
        self._aliases: dict[str, dict[str, list[str]]] = raw["aliases"]

    @classmethod
    def load(cls, knowledge: Path) -> PlaceNames:
        return cls(read_yaml(knowledge / NAMES_FILE))

    def base(self, level: str, name: str) -> str:
        """The official name without its suffix: 英德 (英德市), 浛洸 (浛洸镇), 田心 (田心村委会)."""
        return self._suffix[level].sub("", name)

    def short(self, level: str, name: str) -> str:
        if level == "county":
            return self.base(level, name)
        if level == "village":
            return self._village_drop.sub("", name)
        return name

    def aliases(self, level: str, name: str, stoplist: set[str]) -> list[str]:
        """The official name and every alias made by the rules (each two characters or more, no repeats)."""
        base = self.base(level, name)
        rules = self._aliases.get(level, {})
        templates = next((rules[end] for end in rules if end and name.endswith(end)), rules.get("", []))
        names = [name]
        if level == "county" and len(base) < 2:
            templates = []  # a one-character county name is no alias
        for template in templates:
            if template == "{base}" and level == "village" and base in stoplist:
                continue  # common words that are also village names (knowledge/places/alias_stoplist.txt)
            added = template.removeprefix("{base}")
            if added and "{" not in added and base.endswith(added):
                names.append(base)  # 田心村 + 村 → 田心村
            else:
                names.append(template.format(base=base, last=name[-1]))
        return [n for n in dict.fromkeys(names) if len(n) >= 2]


@dataclass
class Location:
    """What a text says about a place: the most specific units found, plus alternatives when ambiguous."""

    county: Place | None = None
    town: Place | None = None
    village: Place | None = None
    choices: list[Place] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        return len(self.choices) > 1

    @property
    def found(self) -> bool:
        return bool(self.county or self.town or self.village or self.choices)


class Gazetteer:
    """All places and every surface form (name or alias) that refers to them."""

    def __init__(
        self,
        places: list[Place],
        extra_aliases: dict[str, list[str]],
        stoplist: set[str],
        names: PlaceNames,
    ):
        self.city = names.city
        self.places = {p.code: p for p in places}
        self.surfaces: dict[str, list[Place]] = {}
        for place in places:
            for alias in names.aliases(place.level, place.name, stoplist) + extra_aliases.get(place.code, []):
                for surface in dict.fromkeys((alias, simplified(alias))):  # 並朗 is also found as 并朗
                    bucket = self.surfaces.setdefault(surface, [])
                    if place not in bucket:
                        bucket.append(place)
        self._max_len = max(map(len, self.surfaces), default=0)
        self._sounds: dict[tuple[str, ...], list[Place]] = {}
        for surface, candidates in self.surfaces.items():
            bucket = self._sounds.setdefault(syllables(surface), [])
            bucket.extend(p for p in candidates if p not in bucket)

    @classmethod
    def load(cls, knowledge: Path) -> Gazetteer:
        """Read knowledge/divisions/*.csv and knowledge/places/ (naming rules, aliases and the stoplist)."""
        names = PlaceNames.load(knowledge)
        return cls(
            load_places(knowledge / "divisions", names),
            read_yaml(knowledge / "places" / "aliases.yml") or {},
            read_word_list(knowledge / "places" / "alias_stoplist.txt"),
            names,
        )

    def full_name(self, code: str) -> str:
        """County + town + village, as people write an address: 英德市大湾镇田心村. A village goes by its short name
        unless that would read back as another place (石潭镇's 白湾 is a neighbourhood and a village; 太平镇's
        太平 is the town): then by its official name (白湾居委会), so a chosen address always means one place."""
        place = self.places[code]
        chain = [self.places.get(place.county_code), self.places.get(place.town_code or "")]
        prefix = "".join(p.name for p in chain if p and p.code != place.code)
        if place.level != "village":
            return prefix + place.name
        short = prefix + place.short_name
        return short if self.resolve(short).village == place else prefix + place.name

    def describe(self, location: Location) -> str:
        """The full name of the most specific unit of a location: 英德市浛洸镇某某村 ("" when none)."""
        most_specific = location.village or location.town or location.county
        return self.full_name(most_specific.code) if most_specific else ""

    def scan(self, text: str) -> list[tuple[int, int, str, list[Place]]]:
        """Greedy longest-first matches of known surfaces: (start, end, surface, candidate places)."""
        found = []
        i = 0
        while i < len(text):
            for size in range(min(self._max_len, len(text) - i), 1, -1):
                surface = text[i : i + size]
                if surface in self.surfaces:
                    found.append((i, i + size, surface, self.surfaces[surface]))
                    i += size
                    break
            else:
                i += 1
        return found

    def scan_by_sound(self, text: str) -> list[list[Place]]:
        """Like ``scan``, but by pinyin: 英得浛光 finds 英德 and 浛洸 (a typo from a pinyin keyboard). The names
        that cover the most syllables win, so 英德石灰埔 is 英德 + 石灰铺, not 英德市 + 灰埔."""
        sounds = syllables(text)
        count = len(sounds)
        covered = [0] * (count + 1)  # covered[i]: most syllables from i on that belong to a name
        size_at: list[int | None] = [None] * (count + 1)
        for i in range(count - 1, -1, -1):
            covered[i], size_at[i] = covered[i + 1], None
            for size in range(min(self._max_len, count - i), 1, -1):
                if tuple(sounds[i : i + size]) in self._sounds and size + covered[i + size] > covered[i]:
                    covered[i], size_at[i] = size + covered[i + size], size
        found, i = [], 0
        while i < count:
            step = size_at[i]
            if step is None:
                i += 1
                continue
            found.append(self._sounds[tuple(sounds[i : i + step])])
            i += step
        return found

    def resolve(self, text: str, by_sound: bool = False) -> Location:
        """Combine every place mentioned in the text into one location, narrowing candidates by each other.
        Traditional characters are read as simplified (連州 → 连州). ``by_sound`` (for an answer to "where?"): names
        are also read by their sound (英德含洸镇 → 浛洸镇, 新墟村 → 新圩村), and that reading wins when it is more
        specific than the written one, or when the written one leaves the county the text names."""
        text = simplified(text)
        groups = [cands for _s, _e, _surface, cands in self.scan(text)]
        written = self.resolve_candidates(groups)
        if not by_sound:
            return written
        heard = self.resolve_candidates(self.scan_by_sound(text))
        named = {p.county_code for g in groups for p in _top_level(g) if p.level == "county"}
        leaves_county = bool(named) and written.county is not None and written.county.code not in named
        more_specific = _depth(heard) > _depth(written)
        back_in_county = leaves_county and heard.county is not None and heard.county.code in named
        if heard.found and not heard.ambiguous and (more_specific or back_in_county):
            return heard
        return written

    def resolve_candidates(self, groups: list[list[Place]]) -> Location:
        groups = [_top_level(g) for g in groups]
        counties = {p.code for g in groups for p in g if p.level == "county"}
        towns = [p for g in groups for p in g if p.level == "town"]
        villages = [p for g in groups for p in g if p.level == "village"]
        if counties:
            towns = [t for t in towns if t.county_code in counties] or towns
            villages = [v for v in villages if v.county_code in counties] or villages
        town_codes = {t.code for t in towns}
        if town_codes and villages:
            inside = [v for v in villages if v.town_code in town_codes]
            villages = inside or ([] if _named_town_only(groups) else villages)
        location = Location()
        unique_villages = list(dict.fromkeys(villages))
        if len(unique_villages) == 1:
            location.village = unique_villages[0]
            towns = [self.places[location.village.town_code or ""]]
        elif len(unique_villages) > 1:
            location.choices = unique_villages
        unique_towns = list(dict.fromkeys(towns))
        if len(unique_towns) == 1:
            location.town = unique_towns[0]
            counties = {location.town.county_code}
        elif len(unique_towns) > 1 and not location.choices:
            location.choices = unique_towns
        if len(counties) == 1:
            location.county = self.places[next(iter(counties))]
        return location


# Readings of place-name characters that pypinyin gets wrong for Guangdong: 圩 is xū (a market town), not wéi.
PLACE_READINGS = str.maketrans({"圩": "墟"})


def syllables(text: str) -> tuple[str, ...]:
    """One toneless pinyin syllable per Chinese character (other characters as they are)."""
    keep: Any = list  # pypinyin keeps other characters one by one (its stubs say str, the code takes a list)
    return tuple(lazy_pinyin(text.translate(PLACE_READINGS), errors=keep))


def _depth(location: Location) -> int:
    """How specific a location is: 3 for a village, 2 a town, 1 a county, 0 nothing (or only a choice)."""
    return 3 if location.village else 2 if location.town else 1 if location.county else 0


def _top_level(group: list[Place]) -> list[Place]:
    """A bare name shared by a town and its village (石角) means the larger unit."""
    best = min(LEVELS.index(p.level) for p in group)
    return [p for p in group if LEVELS.index(p.level) == best]


def _named_town_only(groups: list[list[Place]]) -> bool:
    """True when some mention could only be a town, so village look-alikes elsewhere must fit inside it."""
    return any(all(p.level == "town" for p in g) for g in groups)


def read_word_list(path: Path) -> set[str]:
    """A UTF-8 list, one word a line; lines starting with # are comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {w.strip() for w in lines if w.strip() and not w.startswith("#")}


def load_places(folder: Path, names: PlaceNames) -> list[Place]:
    """Counties, all 92 town-level units (7 marked non-formal) and the real villages (virtual units skipped)."""
    places: list[Place] = []
    with (folder / "counties.csv").open(encoding="utf-8") as f:
        places += [
            Place(r["code"], r["name"], "county", r["code"], short_name=names.short("county", r["name"]))
            for r in csv.DictReader(f)
        ]
    with (folder / "towns.csv").open(encoding="utf-8") as f:
        places += [
            Place(
                r["code"],
                r["name"],
                "town",
                r["county_code"],
                None,
                r["kind"] in names.formal_town_kinds,
                names.short("town", r["name"]),
            )
            for r in csv.DictReader(f)
        ]
    with (folder / "villages.csv").open(encoding="utf-8") as f:
        places += [
            Place(
                r["code"],
                r["name"],
                "village",
                r["county_code"],
                r["town_code"],
                short_name=names.short("village", r["name"]),
            )
            for r in csv.DictReader(f)
            if is_real_village(r["code"])
        ]
    return places


def is_real_village(code: str) -> bool:
    """NBS village codes 001–399 are real committees; 400–599 are virtual statistical units."""
    return int(code[-3:]) < 400
