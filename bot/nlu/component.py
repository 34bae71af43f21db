"""KnowledgeComponent: the shared shape of our Rasa graph components that carry knowledge/ inside the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

C = TypeVar("C", bound="KnowledgeComponent")


class KnowledgeComponent(GraphComponent):
    """Reads what it needs from knowledge/ when trained, writes it into the model, and reads it back when loaded,
    so a trained model needs nothing outside itself.

    Subclasses define ``FILE`` (the name of what they persist), ``learn(knowledge)`` (knowledge folder → state),
    ``dump()`` / ``restore(text)`` (state ↔ the persisted text) and ``process``.
    """

    FILE = "knowledge.json"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # knowledge_fingerprint is set by bot.ops.training so Rasa's cache notices edits to knowledge/.
        return {"knowledge_path": "knowledge", "knowledge_fingerprint": ""}

    def __init__(self, config: dict[str, Any], storage: ModelStorage, resource: Resource) -> None:
        self._config = config
        self._storage = storage
        self._resource = resource

    @classmethod
    def create(
        cls: type[C],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> C:
        return cls(config, model_storage, resource)

    def learn(self, knowledge: Path) -> None:
        raise NotImplementedError

    def dump(self) -> str:
        raise NotImplementedError

    def restore(self, text: str) -> None:
        raise NotImplementedError

    def train(self, training_data: TrainingData) -> Resource:
        """Read knowledge/ and persist what was read with the model."""
        self.learn(Path(self._config["knowledge_path"]))
        with self._storage.write_to(self._resource) as folder:
            (folder / self.FILE).write_text(self.dump(), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls: type[C],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> C:
        component = cls(config, model_storage, resource)
        with model_storage.read_from(resource) as folder:
            component.restore((folder / cls.FILE).read_text(encoding="utf-8"))
        return component

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
