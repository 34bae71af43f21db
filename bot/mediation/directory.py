"""The mediation directory file (CSV): its columns, row validation, and importing it in one transaction."""

from __future__ import annotations

import csv
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import ORG_KINDS, Organization, Referral

_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class DirectoryError(ValueError):
    """A directory file that cannot be imported; names the line and field."""


@dataclass(frozen=True)
class OrgRow:
    """One row of the directory CSV (the column order of the file)."""

    id: str
    name: str
    kind: str
    county_code: str
    town_code: str
    village_code: str
    dispute_types: str
    address: str
    phone: str
    capacity: int
    illustrative: int

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(t for t in self.dispute_types.split("|") if t)


COLUMNS = tuple(f.name for f in fields(OrgRow))


def _check(raw: dict[str, str], line: int, dispute_types: Collection[str]) -> OrgRow:
    def fail(field: str, why: str) -> DirectoryError:
        return DirectoryError(f"line {line}, field {field}: {why}")

    if not _ID.match(raw["id"]):
        raise fail("id", "1-40 letters, digits, - or _")
    if not raw["name"].strip():
        raise fail("name", "empty")
    if raw["kind"] not in ORG_KINDS:
        raise fail("kind", f"must be one of {', '.join(ORG_KINDS)}")
    for field, size in (("county_code", 6), ("town_code", 9), ("village_code", 12)):
        if raw[field] and not (raw[field].isdigit() and len(raw[field]) == size):
            raise fail(field, f"must be empty or {size} digits")
    types = [t for t in raw["dispute_types"].split("|") if t]
    bad = [t for t in types if t not in dispute_types]
    if not types or bad:
        raise fail("dispute_types", f"'|'-separated codes from {', '.join(dispute_types)}")
    try:
        capacity = int(raw["capacity"])
    except ValueError:
        raise fail("capacity", "not a whole number") from None
    if not 0 < capacity <= 10000:
        raise fail("capacity", "must be between 1 and 10000")
    if raw["illustrative"] not in ("0", "1"):
        raise fail("illustrative", "must be 0 or 1")
    text = {k: raw[k].strip() for k in COLUMNS}
    return OrgRow(
        id=text["id"],
        name=text["name"],
        kind=text["kind"],
        county_code=text["county_code"],
        town_code=text["town_code"],
        village_code=text["village_code"],
        dispute_types=text["dispute_types"],
        address=text["address"],
        phone=text["phone"],
        capacity=capacity,
        illustrative=int(raw["illustrative"]),
    )


def read_directory(path: Path, dispute_types: Collection[str]) -> list[OrgRow]:
    """Parse and validate a whole directory file against the dispute type codes; the first bad row raises
    DirectoryError."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DirectoryError(f"line 1, field {missing[0]}: column missing from the header")
        rows: list[OrgRow] = []
        seen: set[str] = set()
        for raw in reader:
            line = reader.line_num
            if None in raw or any(raw[c] is None for c in COLUMNS):
                raise DirectoryError(f"line {line}, field {COLUMNS[-1]}: wrong number of columns")
            row = _check(raw, line, dispute_types)
            if row.id in seen:
                raise DirectoryError(f"line {line}, field id: duplicate id {row.id}")
            seen.add(row.id)
            rows.append(row)
    return rows


def write_directory(path: Path, rows: list[OrgRow]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)


def import_directory(session: Session, rows: list[OrgRow]) -> tuple[int, int]:
    """Insert new organizations and update existing ones in place; referrals keep their organization.

    Returns (inserted, updated). Organizations missing from the file are kept (referrals may point at them).
    """
    existing = {o.id: o for o in session.execute(select(Organization)).scalars()}
    inserted = updated = 0
    for row in rows:
        values = asdict(row)
        values["illustrative"] = bool(row.illustrative)
        for key in ("county_code", "town_code", "village_code"):
            values[key] = values[key] or None
        org = existing.get(row.id)
        if org is None:
            session.add(Organization(**values))
            inserted += 1
        else:
            for key, value in values.items():
                setattr(org, key, value)
            updated += 1
    session.flush()
    return inserted, updated


def open_case_counts(session: Session, open_statuses: Collection[str]) -> dict[str, int]:
    """Referrals each organization is still working on (for free-capacity tie-breaks)."""
    query = (
        select(Referral.org_id, func.count())
        .where(Referral.status.in_(open_statuses))
        .group_by(Referral.org_id)
    )
    return {org_id: count for org_id, count in session.execute(query)}


def load_rows_from_db(session: Session) -> list[OrgRow]:
    """The directory as stored, in the same shape as the file (for routing)."""
    orgs = session.execute(select(Organization).order_by(Organization.id)).scalars()
    return [
        OrgRow(
            o.id,
            o.name,
            o.kind,
            o.county_code or "",
            o.town_code or "",
            o.village_code or "",
            o.dispute_types,
            o.address,
            o.phone,
            o.capacity,
            int(o.illustrative),
        )
        for o in orgs
    ]
