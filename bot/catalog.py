"""Read-only content the services share, loaded once per process on first use (never at import time)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import yaml

from bot.directory import OrgRow, read_directory
from bot.knowledge.entries import Entry, load_entries
from bot.knowledge.statutes import StatuteIndex
from bot.knowledge.topic_questions import TopicQuestion, load_topic_questions
from bot.places import Gazetteer
from bot.routing import Router


class Catalog:
    """Statutes, Q&A entries, topic questions, places, dispute types and the routing rules of one knowledge folder."""

    def __init__(self, knowledge: Path):
        self.knowledge = knowledge

    def _yaml(self, relative: str) -> dict:
        return yaml.safe_load((self.knowledge / relative).read_text(encoding="utf-8")) or {}

    @cached_property
    def statutes(self) -> StatuteIndex:
        return StatuteIndex.load(self.knowledge / "laws")

    @cached_property
    def entries(self) -> list[Entry]:
        return load_entries(self.knowledge / "qa")

    @cached_property
    def topic_questions(self) -> list[TopicQuestion]:
        return load_topic_questions(self.knowledge / "topic_questions")

    @cached_property
    def next_steps(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._yaml("next_steps.yml").items()}

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer.load(self.knowledge)

    @cached_property
    def dispute_types(self) -> dict[str, dict]:
        return self._yaml("mediation/dispute_types.yml")

    @cached_property
    def routing_reasons(self) -> dict[str, str]:
        return self._yaml("orgs/routing_reasons.yml")

    @cached_property
    def directory_rows(self) -> list[OrgRow]:
        return read_directory(self.knowledge / "orgs" / "organizations.csv")

    def router(self, rows: list[OrgRow] | None = None) -> Router:
        """A router over the given rows (e.g. from the database), or the directory file."""
        names = {code: place.name for code, place in self.gazetteer.places.items()}
        types = {code: item["name"] for code, item in self.dispute_types.items()}
        return Router(rows if rows is not None else self.directory_rows, names, types, self.routing_reasons)
