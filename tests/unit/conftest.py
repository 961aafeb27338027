"""Shared fixtures for the unit tests (no trained model, no network)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, Dict

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
