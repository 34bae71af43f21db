"""Catalog: the read-only content of one knowledge folder, each part loaded on first use (never at import time)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from bot.knowledge.entries import Entry, load_entries, load_next_steps
from bot.knowledge.real_questions import RealQuestion, load_real_questions
from bot.knowledge.statutes import StatuteIndex
from bot.knowledge.topic_questions import TopicQuestion, load_topic_questions
from bot.knowledge.topics import Topics
from bot.mediation.directory import OrgRow, read_directory
from bot.mediation.disputes import DisputeTypes
from bot.mediation.places import Gazetteer
from bot.mediation.routing import Router
from bot.mediation.statuses import Statuses
from bot.yamlfile import read_yaml


class Catalog:
    """Statutes, topics, Q&A entries, topic questions, places, dispute types, statuses and the directory of one
    knowledge folder, and the router over it."""

    def __init__(self, knowledge: Path):
        self.knowledge = knowledge

    def _yaml(self, relative: str) -> dict:
        return read_yaml(self.knowledge / relative) or {}

    @cached_property
    def statutes(self) -> StatuteIndex:
        return StatuteIndex.load(self.knowledge / "laws")

    @cached_property
    def topics(self) -> Topics:
        return Topics.load(self.knowledge)

    @cached_property
    def entries(self) -> list[Entry]:
        return load_entries(self.knowledge / "qa")

    @cached_property
    def entries_by_id(self) -> dict[str, Entry]:
        return {entry.id: entry for entry in self.entries}

    @cached_property
    def topic_questions(self) -> list[TopicQuestion]:
        return load_topic_questions(self.knowledge / "topic_questions")

    @cached_property
    def real_questions(self) -> list[RealQuestion]:
        """The labelled training split of real citizens' questions (knowledge/real_questions/train.yml)."""
        return load_real_questions(self.knowledge / "real_questions" / "train.yml")

    @cached_property
    def outside_questions(self) -> list[str]:
        """Questions written for the project that need a lawyer (knowledge/legal/outside_questions.yml)."""
        return [str(text) for text in self._yaml("legal/outside_questions.yml").get("questions") or ()]

    @cached_property
    def teaching_questions(self) -> list[TopicQuestion]:
        """Questions that teach the retriever a topic but are never an answer: the topic questions, then the real
        citizens' answerable questions."""
        real = [TopicQuestion(q.text, q.topic) for q in self.real_questions if q.kind == "answer" and q.topic]
        return [*self.topic_questions, *real]

    @cached_property
    def next_steps(self) -> dict[str, str]:
        return load_next_steps(self.knowledge)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer.load(self.knowledge)

    @cached_property
    def dispute_types(self) -> DisputeTypes:
        return DisputeTypes.load(self.knowledge)

    @cached_property
    def statuses(self) -> Statuses:
        return Statuses.load(self.knowledge)

    @cached_property
    def routing_reasons(self) -> dict[str, str]:
        return self._yaml("orgs/routing_reasons.yml")

    @cached_property
    def directory_rows(self) -> list[OrgRow]:
        return read_directory(self.knowledge / "orgs" / "organizations.csv", self.dispute_types.codes)

    def router(self, rows: list[OrgRow] | None = None) -> Router:
        """A router over the given rows (e.g. from the database), or the directory file."""
        names = {code: place.name for code, place in self.gazetteer.places.items()}
        return Router(
            rows if rows is not None else self.directory_rows,
            names,
            self.dispute_types,
            self.routing_reasons,
        )
