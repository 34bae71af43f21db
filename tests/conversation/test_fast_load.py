"""The launcher's faster model load (bot.channels.fast_load) gives the same model: every intent confidence and
every next-action probability equal to Rasa's own load, on questions, intake answers and chit-chat, and every
TensorFlow model really loaded (Rasa drops a model whose load raises ValueError and carries on without it: the
previous fast load lost TEDPolicy that way, unnoticed, because the rules decided every prediction compared)."""

from typing import Any

import numpy as np
import pytest
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels import fast_load

pytestmark = pytest.mark.model

TEXTS = [
    "你好",
    "老板拖欠工资三个月不给怎么办",
    "我想申请调解",
    "邻居装修噪音太大",
    "没有",
    "同意",
    "138 0013 8000",
    "救命，有人在打我",
    "公司上市要走什么流程",
    "我爸被人骗去买保健品了",
    "谢谢",
    "1",
]


async def _intents(agent: Any, text: str) -> dict[str, float]:
    return {i["name"]: i["confidence"] for i in (await agent.parse_message(text))["intent_ranking"]}


async def _next_action(agent: Any, text: str) -> list[float]:
    parsed = await agent.parse_message(text)
    events = [
        ActionExecuted("action_listen"),
        UserUttered(text, parsed["intent"], parsed["entities"], parsed),
    ]
    tracker = DialogueStateTracker.from_events("fast-load", events, slots=agent.domain.slots)
    return list(agent.processor._predict_next_with_tracker(tracker).probabilities)


def _models(agent: Any) -> dict[str, Any]:
    """Each graph component that holds a TensorFlow model, by node name, with the model (None if it was dropped)."""
    nodes = agent.processor.graph_runner._instantiated_nodes
    return {name: node._component.model for name, node in nodes.items() if hasattr(node._component, "model")}


async def test_the_fast_load_predicts_exactly_like_rasas_own(
    trained_model, agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.core.agent import Agent
    from rasa.utils.tensorflow.models import RasaModel

    monkeypatch.setattr(RasaModel, "load", RasaModel.load)  # restored after the test
    fast_load.install()
    fast = Agent.load(str(trained_model))
    theirs_models, mine_models = _models(agent), _models(fast)
    assert theirs_models.keys() == mine_models.keys() and theirs_models, "no TensorFlow model in the graph"
    assert all(model is not None for model in [*theirs_models.values(), *mine_models.values()]), mine_models
    for text in TEXTS:
        mine, theirs = await _intents(fast, text), await _intents(agent, text)
        assert mine.keys() == theirs.keys(), text
        assert np.allclose([mine[k] for k in theirs], list(theirs.values()), atol=1e-6), text
        assert np.allclose(await _next_action(fast, text), await _next_action(agent, text), atol=1e-6), text
