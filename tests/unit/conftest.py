"""Shared fixtures for the unit tests (no trained model, no network)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

# spaCy imports pkg_resources, which warns at import time; keep the test output clean.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import spacy  # noqa: F401

from mfr.knowledge import Article, Knowledge, load_article, load_knowledge  # noqa: E402


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def domain_dict() -> Dict[str, Any]:
    """domain.yml as a plain dict, as the action server receives it."""
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def rasa_domain() -> Any:
    """domain.yml as Rasa's own `Domain`, as the Rasa server holds it."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="session")
def article(knowledge: Knowledge) -> Article:
    return load_article(knowledge)


# A small made-up training set for the intent model's tests (test_intent_model.py,
# test_fallback_thresholds.py): it pins down what the code does, not how well the
# project's model does.
TOPICS = {
    "greet": ["hello", "hi there", "good morning", "hey", "hiya", "hello again", "hi bot", "good evening"],
    "price": ["how much is a session", "what does it cost", "price of a session", "is it expensive",
              "how much do you charge", "what are your fees", "cost per visit", "how much will i pay"],
    "risks": ["is it safe", "any side effects", "can it hurt me", "what are the risks",
              "is it dangerous", "could it harm me", "side effects of the therapy", "how safe is it"],
}


@pytest.fixture(scope="session")
def topic_examples() -> Tuple[List[str], List[str]]:
    """TOPICS as parallel lists of texts and intents."""
    texts = [t for ts in TOPICS.values() for t in ts]
    labels = [label for label, ts in TOPICS.items() for _ in ts]
    return texts, labels


@pytest.fixture(scope="session")
def topic_model(topic_examples: Tuple[List[str], List[str]]) -> Any:
    """The intent model fitted once on TOPICS (4 folds for its temperature)."""
    from mfr import intent_model

    texts, labels = topic_examples
    return intent_model.fit(texts, labels, {"folds": 4})
