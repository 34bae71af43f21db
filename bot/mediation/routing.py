"""Routing a dispute to one mediation organization: pure, deterministic rules with a reason for every decision."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.mediation.directory import OrgRow
from bot.mediation.disputes import DisputeTypes

ROUTABLE_KINDS = frozenset({"village", "town", "county", "city", "industry"})


@dataclass(frozen=True)
class RouteRequest:
    """What routing needs to know about a dispute; codes are NBS statistical codes or None."""

    dispute_type: str
    county_code: str | None = None
    town_code: str | None = None
    village_code: str | None = None
    cross_village: bool = False


@dataclass(frozen=True)
class RouteDecision:
    """The chosen organization, the rule that chose it, and the reason in plain Chinese."""

    org: OrgRow
    rule: str
    reason: str


class Router:
    """Indexes the directory once; each decision is then a few dictionary look-ups."""

    def __init__(
        self,
        rows: Iterable[OrgRow],
        place_names: Mapping[str, str],
        types: DisputeTypes,
        reasons: Mapping[str, str],
    ):
        self.place_names = place_names
        self.types = types
        self.reasons = reasons
        self.by_id: dict[str, OrgRow] = {}
        self._local: dict[tuple[str, str], list[OrgRow]] = defaultdict(list)
        self._industry: dict[str, list[OrgRow]] = defaultdict(list)
        for row in rows:
            self.by_id[row.id] = row
            if row.kind not in ROUTABLE_KINDS:
                continue
            if row.kind == "industry":
                self._industry[row.county_code].append(row)
            else:
                code = {"village": row.village_code, "town": row.town_code, "county": row.county_code}
                self._local[(row.kind, code.get(row.kind, ""))].append(row)

    def route(self, request: RouteRequest, load: Mapping[str, int] | None = None) -> RouteDecision:
        """Choose the organization for a dispute; ``load`` maps org id to its open cases."""
        load = load or {}
        county = request.county_code or ""
        first = self.types.routes.get(request.dispute_type, "village")
        if first == "industry":
            decision = self._industry_route(request.dispute_type, county, load)
            if decision:
                return decision
        if first == "town" and request.town_code:
            found = self._pick(self._local.get(("town", request.town_code), []), load)
            if found:
                return self._decide(found, "town_land", request)
        elif first != "town":
            if request.village_code and not request.cross_village:
                found = self._pick(self._local.get(("village", request.village_code), []), load)
                if found:
                    return self._decide(found, "village", request)
            if request.town_code:
                found = self._pick(self._local.get(("town", request.town_code), []), load)
                rule = "town_cross_village" if request.village_code else "town_no_village"
                if found:
                    return self._decide(found, rule, request)
        found = self._pick(self._local.get(("county", county), []), load)
        if found:
            return self._decide(found, "county_no_town", request)
        return self._decide(self._city_joint(load), "city_no_county", request)

    def _industry_route(
        self, dispute_type: str, county: str, load: Mapping[str, int]
    ) -> RouteDecision | None:
        scopes = [(county, "industry_county")] if county else []
        for scope, rule in [*scopes, ("", "industry_city")]:
            pool = self._industry.get(scope, [])
            primary = [o for o in pool if o.types[:1] == (dispute_type,)]
            found = self._pick(primary or [o for o in pool if dispute_type in o.types], load)
            if found:
                return self._decide(found, rule, RouteRequest(dispute_type, county or None))
        return None

    def _city_joint(self, load: Mapping[str, int]) -> OrgRow:
        found = self._pick(self._local.get(("city", ""), []), load)
        if found is None:
            raise LookupError("the directory has no city-level joint committee")
        return found

    @staticmethod
    def _pick(candidates: list[OrgRow], load: Mapping[str, int]) -> OrgRow | None:
        """Among equally fitting organizations, the most free capacity wins; ties go to the lowest id."""
        if not candidates:
            return None
        return min(candidates, key=lambda o: (-(o.capacity - load.get(o.id, 0)), o.id))

    def _decide(self, org: OrgRow, rule: str, request: RouteRequest) -> RouteDecision:
        place_code = request.county_code if rule.startswith(("industry", "county")) else request.town_code
        reason = self.reasons[rule].format(
            type=self.types.names.get(request.dispute_type, request.dispute_type),
            org=org.name,
            place=self.place_names.get(place_code or "", self.reasons["unknown_place"]),
        )
        return RouteDecision(org, rule, reason)
