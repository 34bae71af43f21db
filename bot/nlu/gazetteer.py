"""QingyuanGazetteer: a Rasa entity extractor running a spaCy EntityRuler on ``spacy.blank("zh")``.

It finds county/town/village names (with aliases) and dispute words. ``train`` builds the patterns from
``knowledge/`` and persists them in the model, so a trained model needs nothing outside itself. spaCy's
default Chinese segmenter is per character, so a name matches inside longer text ("英德" in "英德市浛洸").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.build import gazetteer_patterns
from bot.catalog import Catalog

PATTERNS_FILE = "patterns.jsonl"


def build_ruler(patterns: list[dict[str, str]]) -> Any:
    """A blank Chinese spaCy pipeline with one EntityRuler; nothing is downloaded."""
    nlp = spacy.blank("zh")
    ruler: Any = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(patterns)
    return nlp


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class QingyuanGazetteer(GraphComponent, EntityExtractorMixin):
    """Extracts ``county``, ``town``, ``village`` and ``dispute_type`` entities; ``codes`` lists NBS codes."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # knowledge_fingerprint is set by bot.training so Rasa's cache notices edits to knowledge/.
        return {"knowledge_path": "knowledge", "knowledge_fingerprint": ""}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        patterns: list[dict[str, str]] | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._patterns = patterns or []
        self._nlp = build_ruler(self._patterns) if self._patterns else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> QingyuanGazetteer:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Build the patterns from the knowledge folder and persist them into the model."""
        self._patterns = gazetteer_patterns(Catalog(Path(self._config["knowledge_path"])))
        self._nlp = build_ruler(self._patterns)
        with self._model_storage.write_to(self._resource) as folder:
            lines = (json.dumps(p, ensure_ascii=False) for p in self._patterns)
            (folder / PATTERNS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> QingyuanGazetteer:
        try:
            with model_storage.read_from(resource) as folder:
                text = (folder / PATTERNS_FILE).read_text(encoding="utf-8")
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        patterns = [json.loads(line) for line in text.splitlines() if line.strip()]
        return cls(config, model_storage, resource, patterns)

    def extract(self, text: str) -> list[dict[str, Any]]:
        """Entities in Rasa's format, with the candidate codes of each match."""
        if self._nlp is None or not text:
            return []
        doc = self._nlp(text)
        found = [
            {
                "entity": ent.label_,
                "value": ent.ent_id_ if ent.label_ == "dispute_type" else ent.text,
                "start": ent.start_char,
                "end": ent.end_char,
                "confidence_entity": 1.0,
                "codes": [] if ent.label_ == "dispute_type" else ent.ent_id_.split("|"),
                "extractor": self.__class__.__name__,
            }
            for ent in doc.ents
        ]
        # One dispute type per message (the first mentioned), or Rasa would fill the slot with a list.
        first_type = next((e for e in found if e["entity"] == "dispute_type"), None)
        return [e for e in found if e["entity"] != "dispute_type" or e is first_type]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = self.extract(message.get(TEXT) or "")
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
