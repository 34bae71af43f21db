"""Routing rules a mediation office would recognise, checked over every dispute type and every town."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import services
from bot.mediation.routing import Router, RouteRequest

CATALOG = services.catalog()
ROUTER: Router = CATALOG.router()
DISPUTE_TYPES = CATALOG.dispute_types.codes
SPECIALISED = [code for code, route in CATALOG.dispute_types.routes.items() if route == "industry"]
FORMAL_TOWNS = sorted(
    (p for p in CATALOG.gazetteer.places.values() if p.level == "town" and p.formal), key=lambda p: p.code
)
YINGDE, HANGUANG, FENGCHENG, GAOJILI = "441881", "441881112", "441802006", "441802006001"


@pytest.mark.parametrize(
    ("request_", "org_id", "rule"),
    [
        (RouteRequest("medical", YINGDE, HANGUANG), "I-441881-medical", "industry_county"),
        (RouteRequest("traffic", YINGDE), "I-441881-traffic", "industry_county"),
        (RouteRequest("labor", "441826"), "I-441826-labor", "industry_county"),
        (RouteRequest("consumer", "441802"), "I-441802-consumer", "industry_county"),
        (RouteRequest("property", "441826"), "I-4418-property", "industry_city"),
        (RouteRequest("property", "441802"), "I-441802-property", "industry_county"),
        (RouteRequest("medical"), "I-4418-medical", "industry_city"),
        (RouteRequest("family", "441802", FENGCHENG, GAOJILI), f"V{GAOJILI}", "village"),
        (RouteRequest("neighbor", "441802", FENGCHENG, GAOJILI), f"V{GAOJILI}", "village"),
        (RouteRequest("debt", "441802", FENGCHENG, GAOJILI), f"V{GAOJILI}", "village"),
        (RouteRequest("personal_injury", "441802", FENGCHENG, GAOJILI), f"V{GAOJILI}", "village"),
        (RouteRequest("other", "441802", FENGCHENG, GAOJILI), f"V{GAOJILI}", "village"),
        (
            RouteRequest("family", "441802", FENGCHENG, GAOJILI, cross_village=True),
            f"T{FENGCHENG}",
            "town_cross_village",
        ),
        (RouteRequest("neighbor", "441802", FENGCHENG), f"T{FENGCHENG}", "town_no_village"),
        (RouteRequest("land_forest", "441802", FENGCHENG, GAOJILI), f"T{FENGCHENG}", "town_land"),
        (RouteRequest("land_forest", YINGDE), f"C{YINGDE}", "county_no_town"),
        (RouteRequest("family", YINGDE), f"C{YINGDE}", "county_no_town"),
        (RouteRequest("debt"), "C4418", "city_no_county"),
        (RouteRequest("land_forest"), "C4418", "city_no_county"),
    ],
)
def test_rule_table(request_: RouteRequest, org_id: str, rule: str) -> None:
    decision = ROUTER.route(request_)
    assert (decision.org.id, decision.rule) == (org_id, rule)
    assert decision.reason and decision.org.name in decision.reason


def test_every_dispute_type_is_covered_by_the_table() -> None:
    covered = {"medical", "traffic", "labor", "consumer", "property", "family", "neighbor", "debt"}
    covered |= {"personal_injury", "other", "land_forest"}
    assert covered == set(DISPUTE_TYPES)
    assert sorted(SPECIALISED) == ["consumer", "labor", "medical", "property", "traffic"]


def test_the_reason_names_the_place_or_says_plainly_that_it_is_unknown() -> None:
    assert "英德市" in ROUTER.route(RouteRequest("family", YINGDE)).reason
    nameless = Router(CATALOG.directory_rows, {}, CATALOG.dispute_types, CATALOG.routing_reasons)
    decision = nameless.route(RouteRequest("family", YINGDE))
    assert decision.rule == "county_no_town" and CATALOG.routing_reasons["unknown_place"] in decision.reason


def test_village_under_a_non_formal_unit_goes_to_the_county() -> None:
    # 笔架林场 (441803450) has real village committees but no town-level committee.
    decision = ROUTER.route(RouteRequest("neighbor", "441803", "441803450"))
    assert decision.org.id == "C441803"


def test_free_capacity_breaks_ties() -> None:
    rows = [r for r in CATALOG.directory_rows if r.id in ("I-4418-labor", "I-4418-construction")]
    router = CATALOG.router(rows + [r for r in CATALOG.directory_rows if r.kind == "city"])
    # Only the construction committee lists labour second; the labour committee's primary type wins first.
    assert router.route(RouteRequest("labor")).org.id == "I-4418-labor"
    twin = rows[0].__class__(**{**rows[0].__dict__, "id": "I-4418-labor-b", "capacity": rows[0].capacity})
    router = CATALOG.router([*rows, twin, *[r for r in CATALOG.directory_rows if r.kind == "city"]])
    assert router.route(RouteRequest("labor")).org.id == "I-4418-labor"
    assert router.route(RouteRequest("labor"), {"I-4418-labor": 5}).org.id == "I-4418-labor-b"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DISPUTE_TYPES), st.sampled_from(FORMAL_TOWNS), st.booleans())
def test_every_type_and_town_routes_inside_the_county_or_city(dispute: str, town, cross: bool) -> None:
    decision = ROUTER.route(RouteRequest(dispute, town.county_code, town.code, cross_village=cross))
    assert decision.org.county_code in (town.county_code, "")
    if decision.org.kind in ("town", "village"):
        assert decision.org.town_code == town.code
    if dispute not in SPECIALISED:
        assert decision.org.id == f"T{town.code}"


def test_exhaustive_type_by_town() -> None:
    for town in FORMAL_TOWNS:
        for dispute in DISPUTE_TYPES:
            decision = ROUTER.route(RouteRequest(dispute, town.county_code, town.code))
            assert decision.org.county_code in (town.county_code, ""), (dispute, town.name)


def test_routing_is_deterministic() -> None:
    request = RouteRequest("family", "441802", FENGCHENG, GAOJILI)
    assert len({ROUTER.route(request) for _ in range(20)}) == 1
