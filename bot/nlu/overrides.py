"""The phrase overrides: after intent classification, phrase rules from knowledge/ correct the intent.

Pipeline order (config.yml): OutOfScopeOverride → MediationWishOverride → EmergencyOverride, so a danger
always wins and a wish to mediate wins over an out-of-scope subject.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge.phrase_rules import PhraseRules
from bot.legal.emergency import EmergencyRules
from bot.legal.scope import ScopeRules
from bot.mediation.wish import WishRules
from bot.nlu.component import KnowledgeComponent


class PhraseOverride(KnowledgeComponent):
    """Reads its ``RULES`` from knowledge/ at training time, persists them with the model, applies them per message
    (subclasses define ``apply``). Without rules (never trained) it changes nothing."""

    FILE = "rules.json"
    RULES: ClassVar[type[PhraseRules]]
    _rules: Any = None

    def learn(self, knowledge: Path) -> None:
        self._rules = self.RULES.load(knowledge)

    def dump(self) -> str:
        return json.dumps(self._rules.as_mapping(), ensure_ascii=False)

    def restore(self, text: str) -> None:
        self._rules = self.RULES.from_mapping(json.loads(text))

    def apply(self, message: Message) -> None:
        raise NotImplementedError

    def process(self, messages: list[Message]) -> list[Message]:
        if self._rules is not None:
            for message in messages:
                self.apply(message)
        return messages


def set_intent(message: Message, name: str, entity: dict[str, Any] | None = None) -> None:
    """Make ``name`` the intent with confidence 1.0 (first in the ranking), optionally adding an entity."""
    intent = {"name": name, "confidence": 1.0}
    ranking = [intent] + [r for r in message.get(INTENT_RANKING_KEY) or [] if r["name"] != name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    if entity is not None:
        message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)


def intent_name(message: Message) -> str | None:
    return (message.get(INTENT) or {}).get("name")


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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EmergencyOverride(PhraseOverride):
    """Sets intent ``emergency`` (confidence 1.0) and entity ``emergency_type`` when a danger phrase matches; an
    ``emergency`` the intent model predicted without any danger phrase, in a question about the law of a past
    danger ("打了十几年了，保护令去哪里申请"), becomes ``ask_legal`` like the phrase matches it resembles."""

    RULES = EmergencyRules

    def apply(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        category = self._rules.detect(text)
        if category is not None:
            entity = {"entity": "emergency_type", "value": category, "start": 0, "end": 0}
            entity["extractor"] = self.__class__.__name__
            set_intent(message, "emergency", entity)
        elif intent_name(message) == "emergency" and self._rules.asking_about_law(text):
            set_intent(message, "ask_legal")
