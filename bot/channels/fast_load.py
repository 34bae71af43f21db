"""Loading Rasa's TensorFlow models (DIET, TED) for prediction only: no training graph, no optimizer.

Rasa builds a loaded model's weights by fitting it on one example, then overwrites them with the trained ones. The
fit traced the whole training step into a TensorFlow graph (17 of the 30 seconds Rasa took to load our model,
py-spy, 2026-12-07) and created Adam's two slots for every weight, which a served model never uses (two thirds of
DIET's memory). Build the weights by one eager prediction instead, then load the trained ones (the optimizer's are
left in the file), and trace the prediction as Rasa does. A test loads the test model both ways and compares every
prediction.
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
        """``RasaModel.load`` (Rasa 3.6) with the weights built by one eager prediction."""
        if finetune_mode or not predict_data_example:
            return original(
                cls, model_file_name, model_data_example, predict_data_example, True, *args, **kwargs
            )
        from rasa.utils.tensorflow.constants import RUN_EAGERLY

        model = cls(*args, **kwargs)
        model._run_eagerly = True
        model.run_inference(predict_data_example)  # creates every weight a prediction uses
        restored = model.load_weights(model_file_name)
        if hasattr(restored, "expect_partial"):  # the optimizer's slots stay in the file
            restored.expect_partial()
        # The eager prediction prepared label embeddings from the untrained weights: prepare again, and trace the
        # prediction as Rasa configures it.
        model.prepared_for_prediction = False
        model._tf_predict_step = None
        model._run_eagerly = kwargs.get("config", {}).get(RUN_EAGERLY)
        model.run_inference(predict_data_example)
        return model

    RasaModel.load = classmethod(load)
