"""InputGuard: empty, symbol-only, non-Latin and over-long input get their own intent; long text is clipped."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.parse_data import INPUT_ISSUE, RED_FLAGS, flags_of
from mfr import input_checks


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class InputGuard(GraphComponent):
    """Flags empty, symbol-only, non-Latin and over-long input; clips long text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Longest message passed on to the classifier, in characters."""
        return {"max_chars": input_checks.MAX_MESSAGE_CHARS}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._max_chars = int(config["max_chars"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "InputGuard":
        """Creates the component."""
        return cls({**cls.get_default_config(), **config})

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples are written by us and pass unchanged."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Records the input problem, if any, and clips over-long text."""
        for message in messages:
            text = message.get(TEXT)
            if text:
                safe = input_checks.encodable(text)
                if safe != text:
                    message.set(TEXT, safe)
                    text = safe
            issue = input_checks.input_issue(text, self._max_chars)
            if issue is None:
                cleaned = input_checks.strip_markup(text)
                if cleaned != text:
                    message.set(TEXT, cleaned)
                    # Markup only ("<br>"): nothing left to classify.
                    issue = input_checks.input_issue(cleaned, self._max_chars)
                    if issue is not None:
                        message.set(INPUT_ISSUE, issue, add_to_output=True)
                continue
            message.set(INPUT_ISSUE, issue, add_to_output=True)
            if issue == input_checks.TOO_LONG:
                # Red flags are looked for in the whole text, before clipping.
                message.set(RED_FLAGS, flags_of(text), add_to_output=True)
                message.set(TEXT, input_checks.clip(text, self._max_chars))
            elif issue == input_checks.EMPTY:
                message.set(TEXT, "")
        return messages
