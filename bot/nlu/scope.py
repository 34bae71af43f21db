"""OutOfScopeOverride: a legal question on a subject that needs a lawyer (knowledge/scope.yml) is ``out_of_scope``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.legal.scope import ScopeRules
from bot.nlu.overrides import PhraseOverride, set_intent

# Only a legal question or a message not understood is corrected; mediation requests and emergencies are kept.
CORRECTABLE = ("ask_legal", "nlu_fallback")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class OutOfScopeOverride(PhraseOverride):
    """Sets ``out_of_scope`` when an ask_legal/fallback message names a subject outside the knowledge base
    (patents, tax, visas, adult criminal defence…), so it gets the honest referral instead of a near-miss entry."""

    @classmethod
    def read_rules(cls, knowledge: Path) -> ScopeRules:
        return ScopeRules.load(knowledge)

    @classmethod
    def rules_from(cls, mapping: Any) -> ScopeRules:
        return ScopeRules.from_mapping(mapping)

    def apply(self, message: Message) -> None:
        intent = (message.get(INTENT) or {}).get("name")
        if intent in CORRECTABLE and self._rules.is_outside(message.get(TEXT) or ""):
            set_intent(message, "out_of_scope")
