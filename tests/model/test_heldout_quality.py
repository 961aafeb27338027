"""Quality of the trained model on held-out data (written apart from training).

The floors below are the issue's targets where the model meets them, and
regression floors (noted) where it does not yet; `make evaluate` prints the
full report.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest

from evaluation.quality import evaluate
from evaluation.live import MODEL

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def report() -> Dict[str, Any]:
    return evaluate(str(MODEL))


def test_intent_accuracy(report: Dict[str, Any]) -> None:
    assert report["intent"]["accuracy"] >= 0.90


def test_every_style_of_text_is_understood(report: Dict[str, Any]) -> None:
    for style, (accuracy, n) in report["intent_by_style"].items():
        assert accuracy >= 0.85, (style, accuracy, n)


@pytest.mark.parametrize("table", ["red_flags.yml", "blind_red_flags.yml"])
def test_emergency_recall_and_false_alarms(report: Dict[str, Any], table: str) -> None:
    e = report["emergency"][table]["model"]
    assert e["recall"] == 1.0, e["misses"]
    assert e["false_alarm_rate"] < 0.02, e["false_alarms"]


def test_emergency_never_on_ordinary_questions(report: Dict[str, Any]) -> None:
    assert report["emergency_on_nlu_set"] < 0.01


@pytest.mark.parametrize("table", ["slots.yml", "blind_slots.yml"])
def test_slot_f1(report: Dict[str, Any], table: str) -> None:
    assert report["slots"][table]["all.both"].f1 >= 0.90


@pytest.mark.parametrize("table", ["slots.yml", "blind_slots.yml"])
def test_lemma_rules_beat_exact_forms_and_negation_matters(report: Dict[str, Any], table: str) -> None:
    alternatives = report["slot_alternatives"][table]
    ours = alternatives["spaCy lemma rules + negation (ours)"]
    assert ours["f1"] >= alternatives["exact word forms + negation"]["f1"]
    assert ours["negation_false_fills"] < alternatives["spaCy lemma rules, no negation"]["negation_false_fills"]


def test_out_of_scope_is_rejected_and_in_scope_kept(report: Dict[str, Any]) -> None:
    scope = report["scope"]
    assert scope["oos_rejection"] >= 0.90
    assert scope["in_scope_kept"] >= 0.97
