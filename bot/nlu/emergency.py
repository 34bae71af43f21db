"""EmergencyOverride: after intent classification, a phrase match on danger sets the intent to ``emergency``."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.legal.emergency import EmergencyRules
from bot.nlu.overrides import PhraseOverride, intent_name, set_intent


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
