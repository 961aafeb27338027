"""SafetyOverride: the emergency reply, the red-flag screen or neither, decided by two detectors."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_ROLE,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.parse_data import (
    DETECTION,
    INPUT_ISSUE,
    RED_FLAGS,
    SCREENED_INTENT,
    flags_of,
    matches_of,
    override_intent,
)
from mfr import emergency_detector, input_checks, safety
from mfr.medical_entities import RISK_FACTOR, SYMPTOM
from mfr.red_flags import benign_context, negated_red_flags, ordinary_causes

logger = logging.getLogger(__name__)

EMERGENCY_INTENT = "emergency"
SCREEN_INTENT = "red_flag_screen"
# Entities that fill the slots the emergency reply's wording uses.
KIND_ENTITY = "emergency_kind"
WORDS_ENTITY = "emergency_what"
SYMPTOM_ENTITY = SYMPTOM
OUT_OF_SCOPE_INTENT = "out_of_scope"
# What the medical entity extractor finds, affirmed or not: a message that
# mentions one of them is about someone's health.
MEDICAL_ENTITIES = (SYMPTOM, RISK_FACTOR)
# Intent names for the input problems (their replies live in domain.yml).
ISSUE_INTENTS = {
    input_checks.EMPTY: "unclear_input",
    input_checks.NO_TEXT: "unclear_input",
    input_checks.TOO_LONG: "unclear_input",
    input_checks.NON_LATIN: "non_english",
}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyOverride(GraphComponent):
    """Decides `emergency` and the red-flag screen, and gives bad input its own intent.

    Two detectors, either one enough for the emergency reply: the red-flag
    rules and the learned emergency detector (mfr/emergency_detector.py,
    built by `make detector`). The intent classifier's own `emergency` guess
    also counts when it is confident, the rules found no negated red flag ("no
    chest pain, just a stiff neck") and nothing names an ordinary cause ("heavy
    legs after leg day"). A message the learned detector scores in the grey
    zone gets `red_flag_screen` instead of its intent, which is kept under
    `screened_intent` so that a "no" can answer it. What was decided, by which
    detector, on what and with what score, is in the parse data under
    `emergency_detection`. Runs last, so nothing can overrule it.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The classifier's confidence needed for `emergency`; the detector's file."""
        return {
            "classifier_emergency_threshold": 0.8,
            "detector": str(emergency_detector.ARTIFACT),
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._threshold = float(config["classifier_emergency_threshold"])
        self._detector = emergency_detector.load(emergency_detector.resolve(config["detector"]))
        self._kinds = safety.default_kinds()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyOverride":
        """Creates the component."""
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        """Decides emergency, screen or neither, and sets the intent accordingly."""
        for message in messages:
            flags = message.get(RED_FLAGS)
            if flags is None:
                flags = flags_of(message.get(TEXT))
                message.set(RED_FLAGS, flags, add_to_output=True)
            issue = message.get(INPUT_ISSUE)
            text = message.get(TEXT) or ""
            detection = self._detect(message, text, flags, issue)
            message.set(DETECTION, detection.as_dict(), add_to_output=True)
            if detection.decision == safety.EMERGENCY:
                logger.info("Emergency (%s): %s", ", ".join(detection.fired), detection.kind)
                override_intent(message, EMERGENCY_INTENT)
                self._add_kind_entities(message, detection)
            elif issue:
                override_intent(message, ISSUE_INTENTS[issue])
            elif detection.decision == safety.SCREEN:
                logger.info("Red-flag screen (learned score %.2f)", detection.score or 0.0)
                message.set(SCREENED_INTENT, message.get(INTENT), add_to_output=True)
                override_intent(message, SCREEN_INTENT)
                self._add_kind_entities(message, detection)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == EMERGENCY_INTENT:
                self._drop_classifier_emergency(message)
        return messages

    def _detect(self, message: Message, text: Text, flags: List[Dict[Text, Any]],
                issue: Optional[Text]) -> safety.Detection:
        unreadable = issue in (input_checks.EMPTY, input_checks.NO_TEXT)
        score, model_kind = (None, None) if unreadable or not text.strip() else self._detector.assess(text)
        learned_alone = not flags and score is not None and score >= self._detector.thresholds.emergency
        return safety.decide(
            matches_of(flags),
            score,
            (self._detector.thresholds.emergency, self._detector.thresholds.screen),
            model_kind,
            self._classifier_emergency(message, text),
            self._reports_symptom(message, text),
            self._kinds,
            # Only read when they can change the decision: the learned detector alone says emergency.
            denied=negated_red_flags(text) if learned_alone else (),
            ordinary_cause=ordinary_causes(text) if learned_alone else (),
            about_nobody=self._about_nobody(message, text),
            out_of_scope=self._confidence_in(message, OUT_OF_SCOPE_INTENT),
            other_intent=self._other_intent(message),
            other_intent_name=str((message.get(INTENT) or {}).get(INTENT_NAME_KEY) or ""),
        )

    def _classifier_emergency(self, message: Message, text: Text) -> Optional[float]:
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) != EMERGENCY_INTENT:
            return None
        confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if confidence >= self._threshold and not negated_red_flags(text) and not benign_context(text):
            return confidence
        return None

    @staticmethod
    def _other_intent(message: Message) -> float:
        """The intent classifier's confidence in its top intent, 0 when that is `emergency`."""
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) in (None, EMERGENCY_INTENT):
            return 0.0
        return float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)

    @staticmethod
    def _confidence_in(message: Message, intent: Text) -> float:
        """The intent classifier's confidence in ``intent`` (0 when it is not ranked)."""
        for r in message.get(INTENT_RANKING_KEY, []):
            if r.get(INTENT_NAME_KEY) == intent:
                return float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        return 0.0

    def _about_nobody(self, message: Message, text: Text) -> bool:
        mentions = any(e.get(ENTITY_ATTRIBUTE_TYPE) in MEDICAL_ENTITIES for e in message.get(ENTITIES, []))
        return not mentions and self._kinds.names_nobody(text)

    def _reports_symptom(self, message: Message, text: Text) -> bool:
        affirmed = any(
            e.get(ENTITY_ATTRIBUTE_TYPE) == SYMPTOM_ENTITY and not e.get(ENTITY_ATTRIBUTE_ROLE)
            for e in message.get(ENTITIES, [])
        )
        return affirmed and self._kinds.is_personal(text)

    @staticmethod
    def _add_kind_entities(message: Message, detection: safety.Detection) -> None:
        entities = [
            {ENTITY_ATTRIBUTE_TYPE: KIND_ENTITY, ENTITY_ATTRIBUTE_VALUE: detection.kind,
             EXTRACTOR: SafetyOverride.__name__},
            {ENTITY_ATTRIBUTE_TYPE: WORDS_ENTITY, ENTITY_ATTRIBUTE_VALUE: detection.words,
             EXTRACTOR: SafetyOverride.__name__},
        ]
        message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)

    @staticmethod
    def _drop_classifier_emergency(message: Message) -> None:
        """The classifier said `emergency` but no detector agreed: the next intent takes its place."""
        ranking = [
            r for r in message.get(INTENT_RANKING_KEY, [])
            if r.get(INTENT_NAME_KEY) != EMERGENCY_INTENT
        ]
        if ranking:
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
