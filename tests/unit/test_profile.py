"""mfr/profile.py: how one message's entities change the symptom and risk-factor slots."""

from __future__ import annotations

import pytest

from mfr.profile import RISK_FACTOR_IDS, SYMPTOM_IDS, merge_profile


def sym(value, role=None):
    entity = {"entity": "symptom", "value": value}
    if role:
        entity["role"] = role
    return entity


def risk(value, role=None):
    entity = {"entity": "risk_factor", "value": value}
    if role:
        entity["role"] = role
    return entity


@pytest.mark.parametrize(
    ("symptoms", "risk_factors", "entities", "expected"),
    [
        pytest.param(
            [],
            [],
            [sym("knots")],
            ((("knots",), ()), ("knots",), ()),
            id="adds-affirmed-symptom",
        ),
        pytest.param(
            [],
            [],
            [risk("fracture_risk")],
            (((), ("fracture_risk",)), ("fracture_risk",), ()),
            id="adds-affirmed-risk-factor",
        ),
        pytest.param(
            ["knots"],
            [],
            [sym("knots")],
            ((("knots",), ()), (), ()),
            id="already-present-not-added-twice",
        ),
        pytest.param(
            [],
            [],
            [risk("fracture_risk", "hypothetical")],
            (((), ()), (), ()),
            id="hypothetical-ignored",
        ),
        pytest.param(
            [],
            ["fracture_risk"],
            [risk("fracture_risk", "hypothetical")],
            (((), ("fracture_risk",)), (), ()),
            id="hypothetical-does-not-remove",
        ),
        pytest.param(
            ["mood_sleep_problems", "knots"],
            [],
            [sym("mood_sleep_problems", "negated")],
            ((("knots",), ()), (), ("mood_sleep_problems",)),
            id="negated-removes",
        ),
        pytest.param(
            [],
            ["oil_allergy"],
            [risk("oil_allergy", "negated")],
            (((), ()), (), ("oil_allergy",)),
            id="negated-removes-risk-factor",
        ),
        pytest.param(
            ["knots"],
            [],
            [sym("dull_ache", "negated")],
            ((("knots",), ()), (), ()),
            id="negated-absent-value-changes-nothing",
        ),
        pytest.param(
            [],
            [],
            [sym("sore_toes"), risk("vampirism")],
            (((), ()), (), ()),
            id="unknown-ids-ignored",
        ),
        pytest.param(
            [],
            [],
            [{"entity": "symptom", "value": "fracture_risk"}, {"entity": "risk_factor", "value": "knots"}],
            (((), ()), (), ()),
            id="id-of-other-slot-ignored",
        ),
        pytest.param(
            [],
            [],
            [{"entity": "body_part", "value": "knots"}, {"entity": "GPE", "value": "oil_allergy"}, {}],
            (((), ()), (), ()),
            id="unknown-entity-types-ignored",
        ),
        pytest.param(
            ["dull_ache"],
            ["nerve_problem"],
            [sym("knots"), risk("fracture_risk"), sym("pain_with_movement")],
            (
                (("dull_ache", "knots", "pain_with_movement"), ("nerve_problem", "fracture_risk")),
                ("knots", "fracture_risk", "pain_with_movement"),
                (),
            ),
            id="keeps-order-appends-new",
        ),
        pytest.param(
            None,
            None,
            [sym("knots"), risk("frail_older_adult")],
            ((("knots",), ("frail_older_adult",)), ("knots", "frail_older_adult"), ()),
            id="none-slots",
        ),
        pytest.param(
            None,
            None,
            [],
            (((), ()), (), ()),
            id="none-slots-no-entities",
        ),
        pytest.param(
            ["knots", "not_an_id"],
            ["bogus"],
            [],
            ((("knots",), ()), (), ()),
            id="invalid-stored-values-dropped",
        ),
        pytest.param(
            ["knots"],
            ["fracture_risk"],
            [sym("knots", "negated"), sym("dull_ache"), risk("fracture_risk", "negated")],
            ((("dull_ache",), ()), ("dull_ache",), ("knots", "fracture_risk")),
            id="adds-and-removes-in-one-message",
        ),
        pytest.param(
            [],
            [],
            [sym("knots"), sym("knots", "negated")],
            (((), ()), ("knots",), ("knots",)),
            id="affirmed-then-negated",
        ),
    ],
)
def test_merge_profile(symptoms, risk_factors, entities, expected):
    (exp_symptoms, exp_risks), exp_added, exp_removed = expected
    update = merge_profile(symptoms, risk_factors, entities)
    assert update.symptoms == exp_symptoms
    assert update.risk_factors == exp_risks
    assert update.added == exp_added
    assert update.removed == exp_removed
    assert update.changed == bool(exp_added or exp_removed)


def test_merge_profile_does_not_mutate_the_slot_values():
    symptoms, risks = ["knots"], ["oil_allergy"]
    merge_profile(symptoms, risks, [sym("dull_ache"), risk("oil_allergy", "negated")])
    assert symptoms == ["knots"]
    assert risks == ["oil_allergy"]


@pytest.mark.parametrize("value", SYMPTOM_IDS)
def test_every_symptom_id_is_accepted(value):
    assert merge_profile([], [], [sym(value)]).symptoms == (value,)


@pytest.mark.parametrize("value", RISK_FACTOR_IDS)
def test_every_risk_factor_id_is_accepted(value):
    assert merge_profile([], [], [risk(value)]).risk_factors == (value,)


def test_profile_ids_match_the_knowledge_file(knowledge):
    assert set(SYMPTOM_IDS) == set(knowledge.symptom_labels)
    assert set(RISK_FACTOR_IDS) == set(knowledge.risk_additions)
