"""Loading Rasa's TensorFlow models (DIET, TED) without tracing a training graph nobody runs.

Rasa builds a loaded model's weights by fitting it on one example, then overwrites them with the trained ones. The
fit traced the whole training step into a TensorFlow graph: 17 of the 30 seconds Rasa took to load our model
(py-spy, 2026-12-07). Run that one step eagerly instead: the same layers and optimizer slots are created, the trained
weights replace them as before, and predictions still go through a traced function. A test loads the test model
both ways and compares every prediction.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Use the eager weight-building step in this process (fine-tuning, which trains afterwards, keeps Rasa's)."""
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel.load.__func__

    def load(
        cls: Any,
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """``RasaModel.load`` (Rasa 3.6) with the weight-building step run eagerly."""
        if finetune_mode:
            return original(
                cls, model_file_name, model_data_example, predict_data_example, True, *args, **kwargs
            )
        import tensorflow as tf  # type: ignore[import-untyped]
        from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
        from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator

        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=True)
        model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
        model._run_eagerly = config.get(
            RUN_EAGERLY
        )  # predictions as Rasa configures them: traced once, below
        model.load_weights(model_file_name)
        if predict_data_example:
            model.run_inference(predict_data_example)
        return model

    RasaModel.load = classmethod(load)
