"""Referral statuses (knowledge/mediation/statuses.yml): codes, labels, button words and the allowed next steps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.yamlfile import read_yaml

FILE = "mediation/statuses.yml"
FIRST = "submitted"  # a new referral, and a transferred one at its new organization
TRANSFERRED = "transferred"  # never a resting state: the referral moves and is submitted there again


@dataclass(frozen=True)
class Statuses:
    """Every status in file order, with its label, its console action word and where it may go next."""

    labels: Mapping[str, str]
    actions: Mapping[str, str]
    transitions: Mapping[str, tuple[str, ...]]
    note_required: frozenset[str]

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Statuses:
        codes = [str(code) for code in raw]
        for needed in (FIRST, TRANSFERRED):
            if needed not in codes:
                raise ValueError(f"knowledge/{FILE} must define the status {needed!r}")
        transitions = {str(code): tuple(str(n) for n in item.get("next") or ()) for code, item in raw.items()}
        unknown = sorted({n for nexts in transitions.values() for n in nexts} - set(codes))
        if unknown:
            raise ValueError(f"knowledge/{FILE}: next names unknown statuses {unknown}")
        missing = [code for code, item in raw.items() if not item.get("label")]
        if missing:
            raise ValueError(f"knowledge/{FILE}: statuses without a label {missing}")
        return cls(
            labels={str(code): str(item["label"]) for code, item in raw.items()},
            actions={str(code): str(item["action"]) for code, item in raw.items() if item.get("action")},
            transitions=transitions,
            note_required=frozenset(str(code) for code, item in raw.items() if item.get("note_required")),
        )

    @classmethod
    def load(cls, knowledge: Path) -> Statuses:
        return cls.from_mapping(read_yaml(knowledge / FILE) or {})

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    @property
    def open(self) -> tuple[str, ...]:
        """Statuses an organization is still working on (those with somewhere to go)."""
        return tuple(code for code, nexts in self.transitions.items() if nexts)

    def label(self, code: str) -> str:
        return self.labels.get(code, code)

    def allowed(self, current: str, new: str) -> bool:
        return new in self.transitions.get(current, ())

    def next(self, current: str) -> tuple[str, ...]:
        """The allowed next statuses, in file order (for the console's buttons)."""
        return tuple(code for code in self.codes if self.allowed(current, code))
