"""The "Did you mean" thresholds' choice on the validation split (evaluation/thresholds.py)."""

from __future__ import annotations

import pytest

from evaluation import heldout, thresholds
from mfr import intent_model

def test_the_validation_split_is_every_registered_blind_table() -> None:
    rows = thresholds.validation_rows()
    tables = [heldout.table_cases(heldout.TEST_DATA / name) for name in heldout.BLIND_INTENT_TABLES]
    assert len(rows) == sum(len(t) for t in tables)
    assert rows[0] == (tables[0][0].text, tables[0][0].intent)
    assert rows[-1] == (tables[-1][-1].text, tables[-1][-1].intent)


def test_rows_of_an_intent_the_model_lacks_count_as_wrong_and_are_asked_back(
        topic_model: intent_model.IntentModel) -> None:
    sure = [("hello there", "greet"), ("how much does it cost", "price")] * 5
    strange = [("zebra", "weather")] * 3  # a word the model never saw: no intent above 0.45
    probs = topic_model.probabilities([t for t, _ in sure + strange])
    # The premise: the model is less sure of the strange rows than of any sure one.
    assert probs[len(sure):].max(axis=1).max() < probs[: len(sure)].max(axis=1).min()
    chosen = thresholds.validation_choice(topic_model, sure + strange)
    assert chosen["answered_wrong"] == 0.0
    assert chosen["did_you_mean"] == pytest.approx(3 / 13)
    assert chosen["answered_right"] == pytest.approx(10 / 13)
    # Without the strange rows nothing needs asking back.
    assert thresholds.validation_choice(topic_model, sure)["did_you_mean"] == 0.0
