"""Rasa NLU components: thin wrappers over the pure modules beside this one.

Pipeline order in config.yml: InputGuard first (before spaCy), then the usual
tokeniser, featurisers and classifier, MedicalEntityExtractor after SpacyNLP,
and SafetyOverride last, after the FallbackClassifier, so that a red flag wins
over everything else.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_ROLE,
    ENTITY_ATTRIBUTE_START,
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
from rasa.shared.nlu.training_data.training_data import TrainingData

from components import emergency_detector, input_guard, safety
from components.medical_entities import default_lexicon, find_mentions
from components.red_flags import RedFlagMatch, benign_context, detect_red_flags, negated_red_flags, ordinary_causes

logger = logging.getLogger(__name__)

INPUT_ISSUE = "input_issue"
RED_FLAGS = "red_flags"
# What the detectors decided and why (components.safety.Detection.as_dict).
DETECTION = "emergency_detection"
# The intent a screened message had before the screen took its place.
SCREENED_INTENT = "screened_intent"
EMERGENCY_INTENT = "emergency"
SCREEN_INTENT = "red_flag_screen"
# Entities that fill the slots the emergency reply's wording uses.
KIND_ENTITY = "emergency_kind"
WORDS_ENTITY = "emergency_what"
SYMPTOM_ENTITY = "symptom"
# Intent names for the input problems (their replies live in domain.yml).
ISSUE_INTENTS = {
    input_guard.EMPTY: "unclear_input",
    input_guard.NO_TEXT: "unclear_input",
    input_guard.TOO_LONG: "unclear_input",
    input_guard.NON_LATIN: "non_english",
}
NEGATED_ROLE = "negated"
HYPOTHETICAL_ROLE = "hypothetical"


def _override_intent(message: Message, name: str) -> None:
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY, []) if r.get(INTENT_NAME_KEY) != name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class InputGuard(GraphComponent):
    """Flags empty, symbol-only, non-Latin and over-long input; clips long text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Longest message passed on to the classifier, in characters."""
        return {"max_chars": input_guard.MAX_MESSAGE_CHARS}

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
                safe = input_guard.encodable(text)
                if safe != text:
                    message.set(TEXT, safe)
                    text = safe
            issue = input_guard.input_issue(text, self._max_chars)
            if issue is None:
                cleaned = input_guard.strip_markup(text)
                if cleaned != text:
                    message.set(TEXT, cleaned)
                    # Markup only ("<br>"): nothing left to classify.
                    issue = input_guard.input_issue(cleaned, self._max_chars)
                    if issue is not None:
                        message.set(INPUT_ISSUE, issue, add_to_output=True)
                continue
            message.set(INPUT_ISSUE, issue, add_to_output=True)
            if issue == input_guard.TOO_LONG:
                # Red flags are looked for in the whole text, before clipping.
                message.set(RED_FLAGS, _flags_of(text), add_to_output=True)
                message.set(TEXT, input_guard.clip(text, self._max_chars))
            elif issue == input_guard.EMPTY:
                message.set(TEXT, "")
        return messages


def _flags_of(text: Optional[Text]) -> List[Dict[Text, Any]]:
    return [
        {"flag": m.flag, "description": m.description, "matched": list(m.matched), "name_only": m.name_only}
        for m in detect_red_flags(text or "")
    ]


def _matches(flags: List[Dict[Text, Any]]) -> List[RedFlagMatch]:
    return [RedFlagMatch(f["flag"], f.get("description", ""), tuple(f.get("matched", ())), bool(f.get("name_only")))
            for f in flags]


# Reads the Doc that SpacyNLP put on the message, so it must come after it.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class MedicalEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds `symptom` and `risk_factor` entities (canonical ids) from the spaCy doc.

    Negated mentions get the role `negated`, mentions of what treatment might
    cause the role `hypothetical`; slots take only entities without a role.
    """

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MedicalEntityExtractor":
        """Creates the component."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the mentions found in each message's spaCy doc."""
        lexicon = default_lexicon()
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                continue
            entities = []
            for m in find_mentions(doc, lexicon):
                entity = {
                    ENTITY_ATTRIBUTE_TYPE: m.entity,
                    ENTITY_ATTRIBUTE_VALUE: m.value,
                    ENTITY_ATTRIBUTE_START: m.start,
                    ENTITY_ATTRIBUTE_END: m.end,
                    EXTRACTOR: self.__class__.__name__,
                }
                if m.negated:
                    entity[ENTITY_ATTRIBUTE_ROLE] = NEGATED_ROLE
                elif m.hypothetical:
                    entity[ENTITY_ATTRIBUTE_ROLE] = HYPOTHETICAL_ROLE
                entities.append(entity)
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyOverride(GraphComponent):
    """Decides `emergency` and the red-flag screen, and gives bad input its own intent.

    Two detectors, either one enough for the emergency reply: the red-flag
    rules and the learned emergency detector (components/emergency_detector.py,
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
                flags = _flags_of(message.get(TEXT))
                message.set(RED_FLAGS, flags, add_to_output=True)
            issue = message.get(INPUT_ISSUE)
            text = message.get(TEXT) or ""
            detection = self._detect(message, text, flags, issue)
            message.set(DETECTION, detection.as_dict(), add_to_output=True)
            if detection.decision == safety.EMERGENCY:
                logger.info("Emergency (%s): %s", ", ".join(detection.fired), detection.kind)
                _override_intent(message, EMERGENCY_INTENT)
                self._add_kind_entities(message, detection)
            elif issue:
                _override_intent(message, ISSUE_INTENTS[issue])
            elif detection.decision == safety.SCREEN:
                logger.info("Red-flag screen (learned score %.2f)", detection.score or 0.0)
                message.set(SCREENED_INTENT, message.get(INTENT), add_to_output=True)
                _override_intent(message, SCREEN_INTENT)
                self._add_kind_entities(message, detection)
            elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == EMERGENCY_INTENT:
                self._drop_classifier_emergency(message)
        return messages

    def _detect(self, message: Message, text: Text, flags: List[Dict[Text, Any]],
                issue: Optional[Text]) -> safety.Detection:
        unreadable = issue in (input_guard.EMPTY, input_guard.NO_TEXT)
        score, model_kind = (None, None) if unreadable or not text.strip() else self._detector.assess(text)
        return safety.decide(
            _matches(flags),
            score,
            (self._detector.thresholds.emergency, self._detector.thresholds.screen),
            model_kind,
            self._classifier_emergency(message, text),
            self._reports_symptom(message, text),
            self._kinds,
            denied=negated_red_flags(text) if score is not None and not flags else (),
            ordinary_cause=ordinary_causes(text) if score is not None and not flags else (),
        )

    def _classifier_emergency(self, message: Message, text: Text) -> Optional[float]:
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) != EMERGENCY_INTENT:
            return None
        confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if confidence >= self._threshold and not negated_red_flags(text) and not benign_context(text):
            return confidence
        return None

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
