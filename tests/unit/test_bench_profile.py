"""bench/profiler.py groups py-spy's collapsed stacks into the server parts the report shows."""

from __future__ import annotations

from bench.profiler import OTHER, part_of, shares

SERVE = "serve (sanic/server/runners.py:155);handle_message (rasa/core/processor.py:462)"
RAW = "\n".join([
    f"{SERVE};parse_message (rasa/core/processor.py:724);rank (mfr/intent_model.py:80) 30",
    f"{SERVE};parse_message (rasa/core/processor.py:724);_doc_for_text (rasa/nlu/utils/spacy_utils.py:3) 10",
    f"{SERVE};save (rasa/core/tracker_store.py:1456);commit (sqlalchemy/orm/session.py:1454) 40",
    f"{SERVE};run (rasa/core/actions/action.py:790);iter_errors (jsonschema/validators.py:301) 15",
    f"{SERVE};_log_slots (rasa/core/processor.py:657) 5",
    "a line py-spy would not write",
])


def test_each_stack_goes_to_the_most_specific_part() -> None:
    validation = "x (rasa/core/actions/action.py:1);iter_errors (jsonschema/validators.py:2)"
    assert part_of(validation) == "action reply validation (jsonschema)"
    assert part_of("parse_message (rasa/core/processor.py:1);rank (mfr/intent_model.py:2)") == "NLU: intent classifier"
    assert part_of("parse_message (rasa/core/processor.py:1);_predict (rasa/nlu/classifiers/diet_classifier.py:2)") \
        == "NLU: intent classifier"
    assert part_of("run_forever (asyncio/base_events.py:1)") == OTHER


def test_shares_add_up_and_follow_the_sample_counts() -> None:
    got = shares(RAW)
    assert abs(sum(got.values()) - 1) < 1e-9
    assert got["tracker store (SQLAlchemy + SQLite)"] == 0.4
    assert got["NLU: intent classifier"] == 0.3
    assert got["NLU: spaCy, featurizers, our components"] == 0.1
    assert got["action reply validation (jsonschema)"] == 0.15
    assert got["Rasa's message processor (the rest)"] == 0.05
    assert next(iter(got)) == "tracker store (SQLAlchemy + SQLite)"


def test_no_samples_no_shares() -> None:
    assert shares("") == {}
