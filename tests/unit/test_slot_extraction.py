"""mfr/medical_entities.py with detection/lexicon.yml: what fills the symptom and risk-factor slots."""

from __future__ import annotations

import pytest
import spacy

from mfr.medical_entities import (
    RISK_FACTOR,
    SYMPTOM,
    Mention,
    affirmed_ids,
    analyse,
    build_pipeline,
    default_lexicon,
)


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


@pytest.fixture(scope="module")
def reloaded_nlp(nlp, tmp_path_factory):
    path = tmp_path_factory.mktemp("spacy") / "en_mfr"
    nlp.to_disk(path)
    return spacy.load(path)


def _slots(text, nlp):
    mentions = analyse(text, nlp)
    return affirmed_ids(mentions, SYMPTOM), affirmed_ids(mentions, RISK_FACTOR)


ROM = "reduced_range_of_motion"
MOOD = "mood_sleep_problems"

# (text, symptoms, risk_factors): all my own sentences.
SLOT_TABLE = [
    # paraphrases -> canonical ids
    pytest.param("can't turn my head fully", [ROM], [], id="cannot-turn-head"),
    pytest.param("I have trouble lifting my arm above my shoulder", [ROM], [], id="trouble-lifting"),
    pytest.param("limited range of motion in my hip", [ROM], [], id="limited-rom"),
    pytest.param("My neck is stiff in the mornings", [ROM], [], id="stiff-neck"),
    pytest.param("I have a dull ache in my shoulders", ["dull_ache"], [], id="dull-ache"),
    pytest.param("it hurts when I walk up stairs", ["pain_with_movement"], [], id="hurts-when-walking"),
    pytest.param("there's a knot in my upper back", ["knots"], [], id="knot"),
    pytest.param("I've got knotted muscles near my shoulder blade", ["knots"], [], id="knotted"),
    pytest.param("I can't sleep", [MOOD], [], id="cannot-sleep"),
    pytest.param("I've been feeling low and irritable", [MOOD], [], id="low-mood"),
    pytest.param("I sleep badly", [MOOD], [], id="sleep-badly"),
    pytest.param("osteoporosis", [], ["fracture_risk"], id="osteoporosis"),
    pytest.param("my bones are brittle", [], ["fracture_risk"], id="brittle-bones"),
    pytest.param("I broke my wrist last year", [], ["fracture_risk"], id="broke-wrist"),
    pytest.param("diabetic neuropathy", [], ["nerve_problem"], id="diabetic-neuropathy"),
    pytest.param("I have a pinched nerve in my neck", [], ["nerve_problem"], id="pinched-nerve"),
    pytest.param("I have sciatica", [], ["nerve_problem"], id="sciatica"),
    pytest.param("I'm 86 and quite frail", [], ["frail_older_adult"], id="86-and-frail"),
    pytest.param("my mother is 91", [], ["frail_older_adult"], id="mother-is-91"),
    pytest.param("aged 80", [], ["frail_older_adult"], id="aged-80"),
    pytest.param("I'm 75", [], ["frail_older_adult"], id="age-75-boundary"),
    pytest.param("I'm elderly", [], ["frail_older_adult"], id="elderly"),
    pytest.param("allergic to massage oil", [], ["oil_allergy"], id="allergic-to-massage-oil"),
    pytest.param("lotion gives me a rash", [], ["oil_allergy"], id="lotion-rash"),
    pytest.param("I bruise easily", [], ["injury_prone"], id="bruise-easily"),
    pytest.param("I have carpal tunnel and a knot in my forearm", ["knots"], ["nerve_problem"], id="two-slots"),
    pytest.param("I have knots in my neck and I can't sleep", ["knots", MOOD], [], id="two-symptoms-in-order"),
    pytest.param(
        "my dad is 82 and has osteoporosis", [], ["frail_older_adult", "fracture_risk"], id="age-and-osteoporosis"
    ),
    pytest.param("I sleep fine but my neck is stiff", [ROM], [], id="clause-break-ends-other-clause"),
    # negations fill nothing
    pytest.param("no trouble sleeping though", [], [], id="negated-sleep"),
    pytest.param("I don't have any knots", [], [], id="negated-knots"),
    pytest.param("no stiffness at all", [], [], id="negated-stiffness"),
    pytest.param("I'm not allergic to oils", [], [], id="negated-oil-allergy"),
    # hypothetical (what treatment might cause) fills nothing
    pytest.param("can it cause fractures?", [], [], id="hypothetical-fractures"),
    pytest.param("can it lead to nerve damage?", [], [], id="hypothetical-nerve-damage"),
    pytest.param("is there any chance of nerve injury?", [], [], id="hypothetical-chance"),
    # ages below 75 fill nothing
    pytest.param("I'm 60", [], [], id="age-60"),
    pytest.param("I am 74 years old", [], [], id="age-74"),
    pytest.param("I'm 45 and my shoulder is stiff", [ROM], [], id="age-45-with-symptom"),
    # nothing to find
    pytest.param("what is myofascial release?", [], [], id="plain-question"),
    pytest.param("I can turn my head fine", [], [], id="can-turn-head"),
]


@pytest.mark.parametrize(("text", "symptoms", "risk_factors"), SLOT_TABLE)
def test_affirmed_ids(nlp, text, symptoms, risk_factors):
    assert _slots(text, nlp) == (symptoms, risk_factors)


@pytest.mark.parametrize(
    ("text", "value", "negated", "hypothetical"),
    [
        pytest.param("no trouble sleeping though", MOOD, True, False, id="negated-sleep"),
        pytest.param("I don't have any knots", "knots", True, False, id="negated-knots"),
        pytest.param("I'm not allergic to oils", "oil_allergy", True, False, id="negated-oil-allergy"),
        pytest.param("can it cause fractures?", "fracture_risk", False, True, id="hypothetical-fractures"),
        pytest.param("can it lead to nerve damage?", "nerve_problem", False, True, id="hypothetical-nerve"),
    ],
)
def test_negated_and_hypothetical_mentions_are_found_but_not_affirmed(nlp, text, value, negated, hypothetical):
    mentions = [m for m in analyse(text, nlp) if m.value == value]
    assert mentions, "the mention itself should be recognised"
    for m in mentions:
        assert (m.negated, m.hypothetical) == (negated, hypothetical)
        assert not m.affirmed


def test_mentions_carry_character_offsets(nlp):
    text = "There's a knot in my upper back"
    (mention,) = analyse(text, nlp)
    assert mention.entity == SYMPTOM
    assert mention.value == "knots"
    assert text.lower()[mention.start : mention.end] == mention.text == "knot"


def test_older_adult_age_comes_from_the_lexicon():
    assert default_lexicon().older_adult_age == 75


def test_affirmed_ids_deduplicates_and_keeps_order():
    mentions = [
        Mention(SYMPTOM, "knots", 0, 4, "knot"),
        Mention(RISK_FACTOR, "oil_allergy", 5, 10, "oil"),
        Mention(SYMPTOM, "dull_ache", 11, 15, "ache"),
        Mention(SYMPTOM, "knots", 16, 21, "knots"),
        Mention(SYMPTOM, "reduced_range_of_motion", 22, 27, "stiff", negated=True),
        Mention(SYMPTOM, MOOD, 28, 33, "sleep", hypothetical=True),
    ]
    assert affirmed_ids(mentions, SYMPTOM) == ["knots", "dull_ache"]
    assert affirmed_ids(mentions, RISK_FACTOR) == ["oil_allergy"]


@pytest.mark.parametrize(
    "text",
    [
        "can't turn my head fully",
        "I'm 86 and quite frail",
        "no trouble sleeping though",
        "can it cause fractures?",
        "I have carpal tunnel and a knot in my forearm",
        "allergic to massage oil",
    ],
)
def test_saved_and_reloaded_pipeline_gives_the_same_result(nlp, reloaded_nlp, text):
    assert analyse(text, reloaded_nlp) == analyse(text, nlp)
