"""LinearIntentClassifier: the project's intent classifier (mfr/intent_model.py) inside Rasa's pipeline."""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from mfr import intent_model

logger = logging.getLogger(__name__)

# joblib, like the emergency detector: the file is written by the project's
# own training inside the model archive, which is trusted as a whole. skops
# (what Rasa's LogisticRegressionClassifier uses) took 3 to 6 s to import,
# more than half of the server's start-up.
MODEL_FILE = "model.joblib"
META_FILE = "meta.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Predicts the intent and a ranking with calibrated confidences, from the message text alone.

    It reads the raw text (after InputGuard), so it needs no featurizer before it.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The model's settings (mfr/intent_model.DEFAULTS) and the ranking's length."""
        return {**intent_model.DEFAULTS, "ranking_length": 10}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[intent_model.IntentModel] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        """Creates an untrained component."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the model on every example that has a text and an intent, and saves it."""
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        if not examples:
            logger.debug("No intent examples: the classifier stays untrained.")
            return self._resource
        self._model = intent_model.fit([e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples],
                                       self._config)
        self._persist()
        return self._resource

    def _persist(self) -> None:
        assert self._model is not None
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump((self._model.features, self._model.layer), directory / MODEL_FILE)
            # The classes are the layer's own (saved with the weights), so only the
            # temperature is kept beside them.
            meta = {"temperature": self._model.temperature}
            (directory / META_FILE).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        """Loads the fitted features, weights and temperature."""
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
                features, layer = joblib.load(directory / MODEL_FILE)
        except ValueError:  # nothing was trained (no intent examples)
            return cls(config, model_storage, resource)
        model = intent_model.IntentModel(features, layer, float(meta["temperature"]))
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets ``intent`` and ``intent_ranking``.

        An empty text (or an untrained model) gets Rasa's "no intent", as DIET
        gave it: the FallbackClassifier after this needs an intent to read, and
        SafetyOverride answers the empty message from InputGuard's flag.
        """
        for message in messages:
            text = message.get(TEXT)
            if not text or self._model is None:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            ranking = self._model.rank(text, int(self._config["ranking_length"]))
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing later in the pipeline learns from predicted intents."""
        return training_data
