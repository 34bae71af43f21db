"""Audiences and 普法 topics (knowledge/legal/topics.yml): their codes, names, and which topics pair up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.yamlfile import read_yaml

FILE = "legal/topics.yml"


@dataclass(frozen=True)
class Topic:
    """A topic code, the audience it is written for, its name, and the general topic it twins (if any)."""

    code: str
    audience: str
    name: str
    twin: str | None = None


@dataclass(frozen=True)
class Topics:
    """Every audience (code → name) and topic, in file order."""

    audiences: Mapping[str, str]
    topics: tuple[Topic, ...]

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Topics:
        audiences = {str(code): str(name) for code, name in (raw.get("audiences") or {}).items()}
        topics = tuple(
            Topic(str(code), str(item["audience"]), str(item["name"]), item.get("twin"))
            for code, item in (raw.get("topics") or {}).items()
        )
        codes = {t.code for t in topics}
        for topic in topics:
            if topic.audience not in audiences:
                raise ValueError(f"knowledge/{FILE}: {topic.code} has unknown audience {topic.audience!r}")
            if topic.twin is not None and topic.twin not in codes:
                raise ValueError(f"knowledge/{FILE}: {topic.code} twins unknown topic {topic.twin!r}")
        return cls(audiences, topics)

    @classmethod
    def load(cls, knowledge: Path) -> Topics:
        return cls.from_mapping(read_yaml(knowledge / FILE) or {})

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.topics)

    def for_audience(self, audience: str) -> tuple[str, ...]:
        """The topics written for one audience."""
        return tuple(t.code for t in self.topics if t.audience == audience)

    @property
    def twins(self) -> dict[str, tuple[str, str]]:
        """Audience topic → (its audience, the general twin): elder_fraud → (elderly, telecom_fraud)."""
        return {t.code: (t.audience, t.twin) for t in self.topics if t.twin}
