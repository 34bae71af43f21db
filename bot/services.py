"""Process-wide services for the action server and the web app, built on first use (never at import time)."""

from __future__ import annotations

from functools import lru_cache

from bot.answering import Retriever
from bot.audience import AudienceRules
from bot.catalog import Catalog
from bot.intake import IntakeVocabulary
from bot.knowledge.dialect import Dialect
from bot.privacy import PiiCipher
from bot.scope import ScopeRules
from bot.settings import get_settings


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    return Catalog(get_settings().knowledge_dir)


@lru_cache(maxsize=1)
def retriever() -> Retriever:
    knowledge = get_settings().knowledge_dir
    return Retriever(
        catalog().entries,
        knowledge / "jieba",
        audience_rules().about,
        Dialect.load(knowledge).fold,
        catalog().topic_questions,
    )


@lru_cache(maxsize=1)
def scope_rules() -> ScopeRules:
    return ScopeRules.load(get_settings().knowledge_dir)


@lru_cache(maxsize=1)
def audience_rules() -> AudienceRules:
    return AudienceRules.load(get_settings().knowledge_dir)


@lru_cache(maxsize=1)
def intake() -> IntakeVocabulary:
    return IntakeVocabulary.load(get_settings().knowledge_dir)


@lru_cache(maxsize=1)
def cipher() -> PiiCipher:
    return PiiCipher(get_settings().secret_key)


def warm_up() -> None:
    """Build the services a first question needs (the retriever takes seconds) before any question arrives."""
    retriever()
    scope_rules()
    intake()


def reset() -> None:
    """Forget every cached service (tests that change settings or knowledge call this)."""
    for cached in (catalog, retriever, audience_rules, intake, cipher):
        cached.cache_clear()
