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
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge.catalog import Catalog
from bot.knowledge.dictionaries import gazetteer_patterns
from bot.nlu.component import KnowledgeComponent


def build_ruler(patterns: list[dict[str, str]]) -> Any:
    """A blank Chinese spaCy pipeline with one EntityRuler; nothing is downloaded."""
    nlp = spacy.blank("zh")
    ruler: Any = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(patterns)
    return nlp


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class QingyuanGazetteer(KnowledgeComponent, EntityExtractorMixin):
    """Extracts ``county``, ``town``, ``village`` and ``dispute_type`` entities; ``codes`` lists NBS codes."""

    FILE = "patterns.jsonl"
    _nlp: Any = None

    def use(self, patterns: list[dict[str, str]]) -> None:
        self._patterns = patterns
        self._nlp = build_ruler(patterns) if patterns else None

    def learn(self, knowledge: Path) -> None:
        self.use(gazetteer_patterns(Catalog(knowledge)))

    def dump(self) -> str:
        return "\n".join(json.dumps(p, ensure_ascii=False) for p in self._patterns) + "\n"

    def restore(self, text: str) -> None:
        self.use([json.loads(line) for line in text.splitlines() if line.strip()])

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
