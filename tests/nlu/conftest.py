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


def trained_and_loaded_tokenizer(cls: type, folder: Path):
    """The tokenizer as Rasa trains it: created with the built dictionaries, trained (persisting them), then loaded
    from the model storage to cut the training data."""
    from bot import services
    from bot.ops.build import JIEBA, write_jieba_dictionaries

    write_jieba_dictionaries(services.catalog(), folder / "build")
    (folder / "model").mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(folder / "model")
    resource = Resource(cls.__name__)
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**cls.get_default_config(), "dictionary_path": str(folder / "build" / JIEBA)}
    cls.create(config, storage, resource, context).train(TrainingData())
    return cls.load(config, storage, resource, context)
