"""Generate the directory rows (1,467 organizations + 14 studios) from the divisions and knowledge/orgs/spec.yml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.mediation.directory import OrgRow
from bot.mediation.disputes import DisputeTypes
from bot.mediation.places import Gazetteer, Place
from bot.yamlfile import read_yaml


def _row(oid: str, name: str, kind: str, place: Place | None, types: str, capacity: int, **kw: Any) -> OrgRow:
    county = place.county_code if place else ""
    town = (place.code if place.level == "town" else place.town_code or "") if place else ""
    village = place.code if place and place.level == "village" else ""
    return OrgRow(
        id=oid,
        name=name,
        kind=kind,
        county_code=county,
        town_code=town,
        village_code=village,
        dispute_types=types,
        address=kw["address"],
        phone="",
        capacity=capacity,
        illustrative=kw.get("illustrative", 1),
    )


def build_rows(gazetteer: Gazetteer, spec: dict[str, Any], all_types: tuple[str, ...]) -> list[OrgRow]:
    """Every organization, in a stable order: villages, towns, industry, joint, stationed, studios."""
    places = gazetteer.places
    cap = spec["capacity"]
    names = spec["names"]
    unverified = {"address": spec["unverified_address"]}
    local_types = "|".join(spec["local_types"])
    every_type = "|".join(all_types)
    counties = [p for p in places.values() if p.level == "county"]
    rows: list[OrgRow] = []
    for v in (p for p in places.values() if p.level == "village"):
        town = places[v.town_code or ""]
        area = places[v.county_code].name + town.name + v.short_name
        name = names["village"].format(place=v.short_name)
        rows.append(
            _row(f"V{v.code}", name, "village", v, local_types, cap["village"], address=area, illustrative=0)
        )
    for t in (p for p in places.values() if p.level == "town" and p.formal):
        area = places[t.county_code].name + t.name
        name = names["town"].format(place=t.name)
        rows.append(
            _row(f"T{t.code}", name, "town", t, local_types, cap["town"], address=area, illustrative=0)
        )
    for sector, item in spec["industry"].items():
        where = spec["jurisdictions"] if item["where"] == "all" else item["where"]
        for code in where:
            seat = None if code == "city" else places[code]
            prefix = gazetteer.city if seat is None else seat.name
            capacity = cap["industry_city" if seat is None else "industry_county"]
            oid = f"I-{'4418' if seat is None else code}-{sector}"
            name = names["industry"].format(seat=prefix, name=item["name"])
            rows.append(_row(oid, name, "industry", seat, "|".join(item["types"]), capacity, **unverified))
    rows.append(
        _row(
            "C4418",
            spec["joint"]["city"]["name"],
            "city",
            None,
            every_type,
            spec["joint"]["city"]["capacity"],
            **unverified,
        )
    )
    for c in counties:
        name = spec["joint"]["county"]["name"].format(county=c.name)
        capacity = spec["joint"]["county"]["capacity"]
        rows.append(_row(f"C{c.code}", name, "county", c, every_type, capacity, **unverified))
    n = 0
    for item in spec["stationed"]:
        targets: list[Place | None] = list(counties) if item["county"] == "each" else [None]
        for seat in targets:
            n += 1
            name = item["name"].format(county=seat.name if seat else "")
            rows.append(
                _row(f"S{n:02d}", name, "stationed", seat, every_type, cap["stationed"], **unverified)
            )
    for code, count in spec["studios"].items():
        for i in range(count):
            c = places[code]
            name = names["studio"].format(county=c.name, ordinal=spec["ordinals"][i])
            rows.append(_row(f"W{code}-{i + 1}", name, "studio", c, local_types, cap["studio"], **unverified))
    return rows


def build_directory(knowledge: Path) -> list[OrgRow]:
    spec = read_yaml(knowledge / "orgs" / "spec.yml")
    return build_rows(Gazetteer.load(knowledge), spec, DisputeTypes.load(knowledge).codes)
