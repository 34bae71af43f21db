"""Dispute types (knowledge/mediation/dispute_types.yml): codes, names, and the words that name each type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FILE = "mediation/dispute_types.yml"
OTHER = "other"  # the type of a dispute nobody named
ROUTES = ("village", "town", "industry")  # which committee a type goes to first (bot/mediation/routing.py)


@dataclass(frozen=True)
class DisputeTypes:
    """Every dispute type in file order: code → name, code → keywords, code → route."""

    names: Mapping[str, str]
    keywords: Mapping[str, tuple[str, ...]]
    routes: Mapping[str, str]

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> DisputeTypes:
        if OTHER not in raw:
            raise ValueError(f"knowledge/{FILE} must define the type {OTHER!r}")
        routes = {str(code): str(item.get("route") or ROUTES[0]) for code, item in raw.items()}
        unknown = {code: route for code, route in routes.items() if route not in ROUTES}
        if unknown:
            raise ValueError(f"knowledge/{FILE}: unknown routes {unknown}, allowed {ROUTES}")
        return cls(
            names={str(code): str(item["name"]) for code, item in raw.items()},
            keywords={
                str(code): tuple(str(k) for k in item.get("keywords") or ()) for code, item in raw.items()
            },
            routes=routes,
        )

    @classmethod
    def load(cls, knowledge: Path) -> DisputeTypes:
        return cls.from_mapping(yaml.safe_load((knowledge / FILE).read_text(encoding="utf-8")) or {})

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.names)

    def name(self, code: str | None) -> str:
        return self.names.get(code or OTHER, "")

    def code_of(self, value: Any) -> str | None:
        """A type code from a button value, its name, or words containing one of its keywords."""
        text = str(value or "").strip()
        if text in self.names:
            return text
        for code, name in self.names.items():
            if text == name or any(k in text for k in self.keywords[code]):
                return code
        return None
