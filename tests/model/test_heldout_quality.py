"""Quality of the trained model on held-out data (written apart from training).

CI trains the model afresh, and DIET's figures move by a point or so between
trainings, so each floor sits a little under the figure measured on
2026-11-24 (given beside it) and says whether that figure meets the issue's
target. `make evaluate` prints the full report.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest

from evaluation.live import MODEL
from evaluation.quality import evaluate

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def report() -> Dict[str, Any]:
    return evaluate(str(MODEL))


def test_intent_accuracy(report: Dict[str, Any]) -> None:
    # Target 0.92, met: 0.930.
    assert report["intent"]["accuracy"] >= 0.91


def test_every_style_of_text_is_understood(report: Dict[str, Any]) -> None:
    for style, (accuracy, n) in report["intent_by_style"].items():
        # Weakest style: phone transcripts, 0.904.
        assert accuracy >= 0.88, (style, accuracy, n)


def test_emergency_on_the_tuned_table(report: Dict[str, Any]) -> None:
    e = report["emergency"]["red_flags.yml"]["model"]
    assert e["recall"] == 1.0, e["misses"]
    assert e["false_alarm_rate"] < 0.02, e["false_alarms"]


@pytest.mark.parametrize("table", ["red_flags_seen.yml", "red_flags_seen_2.yml", "red_flags_seen_3.yml"])
def test_emergency_on_the_earlier_blind_tables(report: Dict[str, Any], table: str) -> None:
    # Each was blind until its misses were used to generalise the rules (2026-11-24): now regression checks.
    e = report["emergency"][table]["model"]
    assert e["recall"] == 1.0, e["misses"]
    assert e["false_alarm_rate"] < 0.02, e["false_alarms"]


def test_emergency_on_the_blind_table(report: Dict[str, Any]) -> None:
    e = report["emergency"]["blind_red_flags.yml"]["model"]
    # Short of the target (recall 1.0): 0.808 recall, 0.091 false alarms on this blind table
    # (2026-11-24; the three before it scored 0.903, 0.744 and 0.867 when first used). These
    # floors only keep it from getting worse; see the issue notes.
    assert e["recall"] >= 0.79, e["misses"]
    assert e["false_alarm_rate"] <= 0.10, e["false_alarms"]


def test_emergency_never_on_ordinary_questions(report: Dict[str, Any]) -> None:
    assert report["emergency_on_nlu_set"] < 0.01


@pytest.mark.parametrize("table", ["slots.yml", "blind_slots.yml"])
def test_slot_f1(report: Dict[str, Any], table: str) -> None:
    assert report["slots"][table]["all.both"].f1 >= 0.90


@pytest.mark.parametrize("table", ["slots.yml", "blind_slots.yml"])
def test_lemma_rules_beat_exact_forms_and_negation_matters(report: Dict[str, Any], table: str) -> None:
    alternatives = report["slot_alternatives"][table]
    ours = alternatives["spaCy lemma rules + negation (ours)"]
    assert ours["f1"] > alternatives["exact word forms + negation"]["f1"]
    assert ours["negation_false_fills"] < alternatives["spaCy lemma rules, no negation"]["negation_false_fills"]


def test_in_scope_questions_are_kept(report: Dict[str, Any]) -> None:
    assert report["scope"]["in_scope_kept"] >= 0.97


def test_off_topic_gets_no_article_answer(report: Dict[str, Any]) -> None:
    scope = report["scope"]
    assert scope["oos_no_article_answer"] >= 0.95  # 0.970
    # Target 0.90 for the scope reply itself, just met: 0.901.
    assert scope["oos_rejection"] >= 0.87
