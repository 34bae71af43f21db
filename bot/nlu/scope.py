"""OutOfScopeOverride: a legal question on a subject that needs a lawyer (knowledge/legal/scope.yml) is ``out_of_scope``."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.legal.scope import ScopeRules
from bot.nlu.overrides import PhraseOverride, intent_name, set_intent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class OutOfScopeOverride(PhraseOverride):
    """Sets ``out_of_scope`` when an ask_legal/fallback message names a subject outside the knowledge base
    (patents, tax, visas, adult criminal defence…), so it gets the honest referral instead of a near-miss entry.
    Mediation requests and emergencies are kept."""

    RULES = ScopeRules
    CORRECTABLE = ("ask_legal", "nlu_fallback")

    def apply(self, message: Message) -> None:
        if intent_name(message) in self.CORRECTABLE and self._rules.is_outside(message.get(TEXT) or ""):
            set_intent(message, "out_of_scope")
