"""PhraseOverride: the one base of the NLU components that correct the intent when a phrase rule matches.

The overrides are bot.nlu.scope.OutOfScopeOverride, bot.nlu.mediation_wish.MediationWishOverride and
bot.nlu.emergency.EmergencyOverride, in that order in config.yml's pipeline, so a danger always wins and a wish to
mediate wins over an out-of-scope subject. (Each keeps its own module: config.yml names components by module path,
Rasa names the graph's nodes after them, and renaming them reorders training and changes the trained model.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge.phrase_rules import PhraseRules
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
