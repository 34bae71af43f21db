"""Process-wide services for the action server and the web app, built on first use (never at import time).

Everything built from one knowledge folder is one ``KnowledgeServices``: a new version of the knowledge (published
with `bot knowledge publish`) is built whole beside the old one and then swapped in by one assignment. A request
pins the version it started with (``pinned``), so it sees the old knowledge or the new, never a mix.
Services built from other settings are forgotten by ``reset``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property, lru_cache
from pathlib import Path

from bot.knowledge.catalog import Catalog
from bot.knowledge.dialect import Dialect
from bot.legal.audience import AudienceRules
from bot.legal.emergency import EmergencyRules
from bot.legal.followups import FollowupRules
from bot.legal.retrieval import Analyses, Retriever
from bot.legal.retriever_cache import load_or_build
from bot.legal.scope import ScopeRules
from bot.legal.two_questions import QuestionParts
from bot.mediation.answers import YesNoRules
from bot.mediation.intake import IntakeVocabulary
from bot.privacy import PiiCipher
from bot.settings import get_settings

KEEP_VERSIONS = 4  # knowledge versions kept built in one process (the live one and recent ones still pinned)


class KnowledgeServices:
    """The catalog, retriever and rules of one knowledge folder, each built on first use."""

    def __init__(self, folder: Path, cache_dir: Path | None = None):
        self.folder = folder
        self.cache_dir = cache_dir

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.folder)

    @cached_property
    def retriever(self) -> Retriever:
        def build(analyses: Analyses) -> Retriever:
            return Retriever.from_catalog(
                self.catalog,
                self.audience_rules.about,
                self.dialect.fold,
                FollowupRules.load(self.folder),
                analyses,
            )

        if self.cache_dir is None:
            return build(Analyses())
        return load_or_build(self.catalog, self.cache_dir, build)

    @cached_property
    def dialect(self) -> Dialect:
        return Dialect.load(self.folder)

    @cached_property
    def scope_rules(self) -> ScopeRules:
        return ScopeRules.load(self.folder)

    @cached_property
    def question_parts(self) -> QuestionParts:
        return QuestionParts.load(self.folder)

    @cached_property
    def emergency_rules(self) -> EmergencyRules:
        return EmergencyRules.load(self.folder)

    @cached_property
    def audience_rules(self) -> AudienceRules:
        return AudienceRules.load(self.folder)

    @cached_property
    def intake(self) -> IntakeVocabulary:
        return IntakeVocabulary.load(self.folder)

    @cached_property
    def yes_no(self) -> YesNoRules:
        return YesNoRules.load(self.folder)

    def warm_up(self) -> KnowledgeServices:
        """Build everything a first question needs (the retriever takes seconds unless cached)."""
        for part in ("retriever", "scope_rules", "emergency_rules", "question_parts", "intake", "yes_no"):
            getattr(self, part)
        return self


_pinned: ContextVar[KnowledgeServices | None] = ContextVar("knowledge_services", default=None)
_live: KnowledgeServices | None = None  # set by a server that follows published knowledge (``go_live``)
_by_folder: OrderedDict[Path, KnowledgeServices] = OrderedDict()
_by_folder_lock = threading.Lock()


def services_for(folder: Path) -> KnowledgeServices:
    """The services of a knowledge folder, built once per process (the most recent KEEP_VERSIONS are kept)."""
    with _by_folder_lock:  # the follower thread adds versions while requests look them up
        found = _by_folder.get(folder)
        if found is None:
            found = _by_folder[folder] = KnowledgeServices(folder, get_settings().cache_dir)
            while len(_by_folder) > KEEP_VERSIONS:
                _by_folder.popitem(last=False)
        _by_folder.move_to_end(folder)
        return found


def knowledge() -> KnowledgeServices:
    """The version this request pinned, else the live published one, else the settings' knowledge folder."""
    return _pinned.get() or _live or services_for(get_settings().knowledge_dir)


def go_live(version: KnowledgeServices) -> None:
    """Serve this (already built) version to every request that starts from now on."""
    global _live
    _live = version


@contextmanager
def pinned() -> Iterator[KnowledgeServices]:
    """Within the block, every service comes from the version live when it started."""
    token = _pinned.set(knowledge())
    try:
        yield knowledge()
    finally:
        _pinned.reset(token)


def catalog() -> Catalog:
    return knowledge().catalog


def retriever() -> Retriever:
    return knowledge().retriever


def dialect() -> Dialect:
    return knowledge().dialect


def scope_rules() -> ScopeRules:
    return knowledge().scope_rules


def question_parts() -> QuestionParts:
    return knowledge().question_parts


def emergency_rules() -> EmergencyRules:
    return knowledge().emergency_rules


def audience_rules() -> AudienceRules:
    return knowledge().audience_rules


def intake() -> IntakeVocabulary:
    return knowledge().intake


def yes_no() -> YesNoRules:
    return knowledge().yes_no


@lru_cache(maxsize=1)
def cipher() -> PiiCipher:
    return PiiCipher.from_settings(get_settings())


def warm_up() -> None:
    """Build the services a first question needs before any question arrives."""
    knowledge().warm_up()


def reset() -> None:
    """Forget the services built from settings other than the knowledge folder (tests that change them call this)."""
    cipher.cache_clear()
