"""PhraseOverride: the shared shape of NLU components that correct the intent when a phrase rule matches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

RULES_FILE = "rules.json"


class PhraseOverride(GraphComponent):
    """Reads its rules from knowledge/ at training time, persists them with the model, applies them per message.

    Subclasses define ``read_rules`` (knowledge folder → rules object with ``as_mapping``), ``rules_from``
    (persisted mapping → rules object) and ``apply`` (one message).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # knowledge_fingerprint is set by bot.training so Rasa's cache notices edits to knowledge/.
        return {"knowledge_path": "knowledge", "knowledge_fingerprint": ""}

    def __init__(self, config: dict[str, Any], storage: ModelStorage, resource: Resource, rules: Any = None):
        self._config = config
        self._storage = storage
        self._resource = resource
        self._rules = rules

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PhraseOverride:
        return cls(config, model_storage, resource)

    @classmethod
    def read_rules(cls, knowledge: Path) -> Any:
        raise NotImplementedError

    @classmethod
    def rules_from(cls, mapping: Any) -> Any:
        raise NotImplementedError

    def apply(self, message: Message) -> None:
        raise NotImplementedError

    def train(self, training_data: TrainingData) -> Resource:
        """Read the rules from knowledge/ and persist them with the model."""
        self._rules = self.read_rules(Path(self._config["knowledge_path"]))
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
    ) -> PhraseOverride:
        with model_storage.read_from(resource) as folder:
            raw = json.loads((folder / RULES_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, cls.rules_from(raw))

    def process(self, messages: list[Message]) -> list[Message]:
        if self._rules is not None:
            for message in messages:
                self.apply(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def set_intent(message: Message, name: str, entity: dict[str, Any] | None = None) -> None:
    """Make ``name`` the intent with confidence 1.0 (first in the ranking), optionally adding an entity."""
    intent = {"name": name, "confidence": 1.0}
    ranking = [intent] + [r for r in message.get(INTENT_RANKING_KEY) or [] if r["name"] != name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    if entity is not None:
        message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
