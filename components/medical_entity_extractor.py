"""MedicalEntityExtractor: `symptom` and `risk_factor` entities from the project's spaCy pipeline."""

from __future__ import annotations

from typing import Any, Dict, List, Text

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
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from mfr.medical_entities import default_lexicon, find_mentions

NEGATED_ROLE = "negated"
HYPOTHETICAL_ROLE = "hypothetical"


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
