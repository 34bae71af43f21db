"""Qingyuan's counties, towns and villages (NBS 2023), their aliases, and resolving place names in text."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

LEVELS = ("county", "town", "village")
FORMAL_TOWN_KINDS = ("街道", "镇", "民族乡")
_COUNTY_SUFFIX = re.compile(r"(壮族瑶族自治县|瑶族自治县|市|区|县)$")
_TOWN_SUFFIX = re.compile(r"(瑶族乡|街道|镇|乡)$")
_VILLAGE_SUFFIX = re.compile(r"(社区居委会|居委会|村委会)$")


@dataclass(frozen=True)
class Place:
    """One administrative unit with its NBS statistical code."""

    code: str
    name: str
    level: str
    county_code: str
    town_code: str | None = None
    formal: bool = True

    @property
    def short_name(self) -> str:
        """The name people usually say: 英德 for 英德市, 浛洸镇 stays, 高基里社区 for 高基里社区居委会."""
        if self.level == "county":
            return _COUNTY_SUFFIX.sub("", self.name)
        if self.level == "village":
            return re.sub(r"居委会$|委会$", "", self.name)
        return self.name


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

    def __init__(self, places: list[Place], extra_aliases: dict[str, list[str]], stoplist: set[str]):
        self.places = {p.code: p for p in places}
        self.surfaces: dict[str, list[Place]] = {}
        for place in places:
            for alias in self._aliases(place, stoplist) + extra_aliases.get(place.code, []):
                bucket = self.surfaces.setdefault(alias, [])
                if place not in bucket:
                    bucket.append(place)
        self._max_len = max(map(len, self.surfaces), default=0)

    @classmethod
    def load(cls, knowledge: Path) -> Gazetteer:
        """Read knowledge/divisions/*.csv and knowledge/places/ (aliases and the stoplist)."""
        return cls(
            load_places(knowledge / "divisions"),
            yaml.safe_load((knowledge / "places" / "aliases.yml").read_text(encoding="utf-8")) or {},
            read_word_list(knowledge / "places" / "alias_stoplist.txt"),
        )

    @staticmethod
    def _aliases(place: Place, stoplist: set[str]) -> list[str]:
        names = [place.name]
        if place.level == "county":
            base = _COUNTY_SUFFIX.sub("", place.name)
            names += [base, base + place.name[-1]] if len(base) >= 2 else []
        elif place.level == "town":
            base = _TOWN_SUFFIX.sub("", place.name)
            names += [base, base + "乡"] if place.name.endswith("瑶族乡") else [base]
        else:
            base = _VILLAGE_SUFFIX.sub("", place.name)
            if place.name.endswith("村委会"):
                names += [base if base.endswith("村") else base + "村", base + "村民委员会"]
            else:
                names += [
                    base if base.endswith("社区") else base + "社区",
                    base + "居委",
                    base + "居民委员会",
                ]
            names += [base] if base not in stoplist else []
        return [n for n in dict.fromkeys(names) if len(n) >= 2]

    def full_name(self, code: str) -> str:
        """County + town + village, as people write an address: 英德市大湾镇田心村."""
        place = self.places[code]
        chain = [self.places.get(place.county_code), self.places.get(place.town_code or "")]
        prefix = "".join(p.name for p in chain if p and p.code != place.code)
        return prefix + (place.short_name if place.level == "village" else place.name)

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

    def resolve(self, text: str) -> Location:
        """Combine every place mentioned in the text into one location, narrowing candidates by each other."""
        groups = [cands for _s, _e, _surface, cands in self.scan(text)]
        return self.resolve_candidates(groups)

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


def load_places(folder: Path) -> list[Place]:
    """Counties, all 92 town-level units (7 marked non-formal) and the real villages (virtual units skipped)."""
    places: list[Place] = []
    with (folder / "counties.csv").open(encoding="utf-8") as f:
        places += [Place(r["code"], r["name"], "county", r["code"]) for r in csv.DictReader(f)]
    with (folder / "towns.csv").open(encoding="utf-8") as f:
        places += [
            Place(r["code"], r["name"], "town", r["county_code"], None, r["kind"] in FORMAL_TOWN_KINDS)
            for r in csv.DictReader(f)
        ]
    with (folder / "villages.csv").open(encoding="utf-8") as f:
        places += [
            Place(r["code"], r["name"], "village", r["county_code"], r["town_code"])
            for r in csv.DictReader(f)
            if is_real_village(r["code"])
        ]
    return places


def is_real_village(code: str) -> bool:
    """NBS village codes 001–399 are real committees; 400–599 are virtual statistical units."""
    return int(code[-3:]) < 400
