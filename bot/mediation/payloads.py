"""The mediation side of the reply payload contract (README): the organization a referral went to."""

from __future__ import annotations

from typing import Any

from bot.mediation.places import Gazetteer


def org_payload(
    gazetteer: Gazetteer, org_id: str, name: str, kind: str, county_code: str | None, town_code: str | None
) -> dict[str, Any]:
    """``org`` of referral_created, cancelled and referral_status: id, name, kind, county and town names."""
    county = gazetteer.places.get(county_code or "")
    town = gazetteer.places.get(town_code or "")
    return {
        "id": org_id,
        "name": name,
        "kind": kind,
        "county": county.name if county else gazetteer.city,
        "town": town.name if town else None,
    }


def org_of(gazetteer: Gazetteer, org: Any) -> dict[str, Any]:
    """The payload of anything shaped like an organization (a directory row or a database row)."""
    return org_payload(gazetteer, org.id, org.name, org.kind, org.county_code, org.town_code)
