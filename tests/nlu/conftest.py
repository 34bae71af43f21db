"""Our NLU components as Rasa runs them: trained from knowledge/ into a real model storage, then loaded back."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component import KnowledgeComponent
from bot.nlu.gazetteer import QingyuanGazetteer
from tests.paths import KNOWLEDGE

C = TypeVar("C", bound=KnowledgeComponent)


def trained_and_loaded(cls: type[C], storage_dir: Path) -> C:
    """``train`` (reads knowledge/, persists into the model storage), then a fresh ``load`` from that storage."""
    storage = LocalModelStorage(storage_dir)
    resource = Resource(cls.__name__)
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**cls.get_default_config(), "knowledge_path": str(KNOWLEDGE)}
    cls.create(config, storage, resource, context).train(TrainingData())
    return cls.load(config, storage, resource, context)


@pytest.fixture(scope="session")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> QingyuanGazetteer:
    return trained_and_loaded(QingyuanGazetteer, tmp_path_factory.mktemp("gazetteer"))
