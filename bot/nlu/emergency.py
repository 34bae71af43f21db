"""EmergencyOverride: after intent classification, a phrase match on danger sets the intent to ``emergency``."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.legal.emergency import EmergencyRules
from bot.nlu.overrides import PhraseOverride, intent_name, set_intent
from bot.privacy import find_phone

SHORT_PLACE = 15  # a message this short that names a place says where, it tells no danger


def reads_as_an_answer(message: Message) -> bool:
    """A phone number, or a short message naming a place: what people type when the intake asks for them."""
    text = message.get(TEXT) or ""
    names_a_place = any(e.get("entity") in ("county", "town", "village") for e in message.get(ENTITIES) or [])
    return find_phone(text) is not None or (names_a_place and len(text.strip()) <= SHORT_PLACE)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EmergencyOverride(PhraseOverride):
    """Sets intent ``emergency`` (confidence 1.0) and entity ``emergency_type`` when a danger phrase matches. An
    ``emergency`` the intent model predicted without any danger phrase becomes ``ask_legal`` in a question about
    the law of a past danger ("打了十几年了，保护令去哪里申请"), like the phrase matches it resembles, and ``inform``
    in an answer to the intake (a phone number, "我喺英德青塘镇住"): the model took them for danger on real data."""

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
        elif intent_name(message) == "emergency" and reads_as_an_answer(message):
            set_intent(message, "inform")
