"""bench/startup.py: the start-up breakdown measures real processes, stage by stage."""

from __future__ import annotations

import pytest

from bench import startup

# Loads the trained model in fresh processes, a few seconds each.
pytestmark = pytest.mark.model


def test_each_stage_adds_to_the_one_before() -> None:
    rows = startup.measure(repeats=1)
    assert [r["stage"] for r in rows] == [name for name, _ in startup.STAGES]
    by_stage = {r["stage"]: r for r in rows}
    # One run per stage on a noisy machine: a small stage (spaCy, under a second) can come out
    # faster than the one before it, so only the large steps are compared.
    model, tensorflow = by_stage["+ the trained model (Agent.load)"], by_stage["+ TensorFlow alone"]
    assert float(model["seconds"]) > float(tensorflow["seconds"])
    # TensorFlow is hundreds of MB on its own; the model loaded as the server loads it is more again.
    assert float(by_stage["+ TensorFlow alone"]["own_mb"]) > 100
    assert float(rows[-1]["rss_mb"]) > float(by_stage["+ Rasa's component registry"]["rss_mb"])
    assert "| + the first parse |" in startup.table(rows)


def test_rasas_registry_cannot_be_imported_without_tensorflow() -> None:
    # Measured 2026-12-04 with Rasa 3.6.21: the registry imports DIET and TED, which import TensorFlow.
    assert startup.import_without_tensorflow() != "ok"


def test_rasas_own_tensorflow_free_components_still_import_tensorflow() -> None:
    # Why a model without DIET still pays for TensorFlow (measured 2026-12-04, Rasa 3.6.21): the
    # FallbackClassifier and the RulePolicy import rasa.utils.train_utils, which imports Keras callbacks.
    probe = startup.import_without_tensorflow("rasa.nlu.classifiers.fallback_classifier")
    assert probe != "ok" and "rasa/utils/tensorflow/callback.py" in probe


def test_the_jax_import_tensorflow_attempts_is_what_the_server_leaves_out() -> None:
    # Measured 2026-12-05 (TensorFlow 2.12, jaxlib 0.4.30): about 100 MB of the import is jaxlib's XLA library.
    jax = startup.jax_share(repeats=1)
    assert jax["with_jax_mb"] - jax["without_jax_mb"] > 50
