"""Process-wide services for the action server and the web app, built on first use (never at import time).

Services built from knowledge/ are cached per knowledge folder (they only change when it does), so tests that
switch databases keep them; services built from other settings are forgotten by ``reset``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.knowledge.catalog import Catalog
from bot.knowledge.dialect import Dialect
from bot.legal.audience import AudienceRules
from bot.legal.emergency import EmergencyRules
from bot.legal.followups import FollowupRules
from bot.legal.retrieval import Retriever
from bot.legal.scope import ScopeRules
from bot.legal.two_questions import QuestionParts
from bot.mediation.answers import YesNoRules
from bot.mediation.intake import IntakeVocabulary
from bot.privacy import PiiCipher
from bot.settings import get_settings


def _knowledge() -> Path:
    return get_settings().knowledge_dir


@lru_cache(maxsize=2)
def _catalog(knowledge: Path) -> Catalog:
    return Catalog(knowledge)


@lru_cache(maxsize=2)
def _retriever(knowledge: Path) -> Retriever:
    return Retriever.from_catalog(
        _catalog(knowledge),
        _audience_rules(knowledge).about,
        _dialect(knowledge).fold,
        FollowupRules.load(knowledge),
    )


@lru_cache(maxsize=2)
def _dialect(knowledge: Path) -> Dialect:
    return Dialect.load(knowledge)


@lru_cache(maxsize=2)
def _scope_rules(knowledge: Path) -> ScopeRules:
    return ScopeRules.load(knowledge)


@lru_cache(maxsize=2)
def _question_parts(knowledge: Path) -> QuestionParts:
    return QuestionParts.load(knowledge)


@lru_cache(maxsize=2)
def _emergency_rules(knowledge: Path) -> EmergencyRules:
    return EmergencyRules.load(knowledge)


@lru_cache(maxsize=2)
def _audience_rules(knowledge: Path) -> AudienceRules:
    return AudienceRules.load(knowledge)


@lru_cache(maxsize=2)
def _intake(knowledge: Path) -> IntakeVocabulary:
    return IntakeVocabulary.load(knowledge)


@lru_cache(maxsize=2)
def _yes_no(knowledge: Path) -> YesNoRules:
    return YesNoRules.load(knowledge)


def catalog() -> Catalog:
    return _catalog(_knowledge())


def retriever() -> Retriever:
    return _retriever(_knowledge())


def dialect() -> Dialect:
    return _dialect(_knowledge())


def scope_rules() -> ScopeRules:
    return _scope_rules(_knowledge())


def question_parts() -> QuestionParts:
    return _question_parts(_knowledge())


def emergency_rules() -> EmergencyRules:
    return _emergency_rules(_knowledge())


def audience_rules() -> AudienceRules:
    return _audience_rules(_knowledge())


def intake() -> IntakeVocabulary:
    return _intake(_knowledge())


def yes_no() -> YesNoRules:
    return _yes_no(_knowledge())


@lru_cache(maxsize=1)
def cipher() -> PiiCipher:
    return PiiCipher(get_settings().secret_key)


def warm_up() -> None:
    """Build the services a first question needs (the retriever takes seconds) before any question arrives."""
    retriever()
    scope_rules()
    emergency_rules()
    question_parts()
    intake()
    yes_no()


def reset() -> None:
    """Forget the services built from settings other than the knowledge folder (tests that change them call this)."""
    cipher.cache_clear()
