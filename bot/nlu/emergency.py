"""EmergencyOverride: after intent classification, a phrase match on danger sets the intent to ``emergency``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safety import EmergencyRules

RULES_FILE = "emergency.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EmergencyOverride(GraphComponent):
    """Sets intent ``emergency`` (confidence 1.0) and entity ``emergency_type`` when a danger phrase matches."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # knowledge_fingerprint is set by bot.training so Rasa's cache notices edits to knowledge/.
        return {"knowledge_path": "knowledge", "knowledge_fingerprint": ""}

    def __init__(self, config: dict[str, Any], storage: ModelStorage, resource: Resource, rules: Any = None):
        self._config = config
        self._storage = storage
        self._resource = resource
        self._rules: EmergencyRules | None = rules

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmergencyOverride:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Read the patterns from knowledge/ and persist them with the model."""
        self._rules = EmergencyRules.load(Path(self._config["knowledge_path"]))
        with self._storage.write_to(self._resource) as folder:
            text = json.dumps(self._rules.as_mapping(), ensure_ascii=False)
            (folder / RULES_FILE).write_text(text, encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EmergencyOverride:
        with model_storage.read_from(resource) as folder:
            raw = json.loads((folder / RULES_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, EmergencyRules.from_mapping(raw))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            category = self._rules.detect(message.get(TEXT) or "") if self._rules else None
            if category is None:
                continue
            intent = {"name": "emergency", "confidence": 1.0}
            ranking = [intent] + [
                r for r in message.get(INTENT_RANKING_KEY) or [] if r["name"] != "emergency"
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            entity = {"entity": "emergency_type", "value": category, "start": 0, "end": 0}
            entity["extractor"] = self.__class__.__name__
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
