"""MediationWishOverride: a legal question that explicitly asks for mediation becomes ``request_mediation``."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.mediation.wish import WishRules
from bot.nlu.overrides import PhraseOverride, intent_name, set_intent


def tells_dispute(message: Message) -> bool:
    """Whether the gazetteer found a dispute word (邻居, 工资, 彩礼…) in the message."""
    return any(e.get("entity") == "dispute_type" for e in message.get(ENTITIES) or [])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class MediationWishOverride(PhraseOverride):
    """Sets ``request_mediation`` when an ask_legal/fallback/out-of-scope message says "please mediate"
    (wish.yml), and ``ask_legal`` when a predicted mediation request never mentions mediating or asks about the
    service (a message that tells no dispute and asks how to apply is about the service, wish words or not).
    Chit-chat, status queries, form answers and cancellations are left alone."""

    RULES = WishRules
    CORRECTABLE = ("ask_legal", "nlu_fallback", "out_of_scope")

    def apply(self, message: Message) -> None:
        intent = intent_name(message)
        text = message.get(TEXT) or ""
        if intent in self.CORRECTABLE and self._rules.wants_mediation(text):
            set_intent(message, "request_mediation")
        elif intent == "request_mediation" and (
            not self._rules.mentions_mediation(text)
            or self._rules.asks_about_service(text, tells_dispute(message))
        ):
            # A dispute story that never asks for mediation is answered (the answer offers mediation), and so
            # is a question about the service ("调解协议有效吗").
            set_intent(message, "ask_legal")
