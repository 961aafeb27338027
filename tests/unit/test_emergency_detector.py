"""The learned emergency detector alone, and how its decision combines with the rules (mfr.safety)."""

from __future__ import annotations

import numpy as np
import pytest

from mfr import emergency_detector as D
from mfr import safety
from mfr.red_flags import RedFlagMatch, normalise
from mfr.settings import PATHS


@pytest.fixture(scope="module")
def detector() -> D.Detector:
    return D.load()


@pytest.fixture(scope="module")
def validation() -> list:
    return D.validation_examples()


def test_the_validation_table_is_not_in_the_training_data() -> None:
    training = {normalise(e.text) for e in D.training_examples()}
    leaked = [e.text for e in D.validation_examples() if normalise(e.text) in training]
    assert not leaked, leaked[:5]


def test_the_built_detector_learned_from_todays_examples() -> None:
    examples = D.training_examples()
    assert D.fingerprint(examples) == D.fingerprint(D.training_examples())
    assert D.load().trained_on == D.fingerprint(examples), "build/ is stale: run `make detector`"


def test_alone_it_finds_emergencies_written_by_someone_it_never_learned_from(detector, validation) -> None:
    # The validation table is a blind table after its first use, left out of training
    # (2026-12-04, red_flags_seen_6.yml: alone 98.2 % reply, 100 % reply or screen).
    scores = detector.scores([e.text for e in validation])
    y = np.array([e.emergency for e in validation])
    reply = scores >= detector.thresholds.emergency
    assert reply[y].mean() >= 0.95
    assert (scores >= detector.thresholds.screen)[y].mean() >= 0.99
    assert reply[~y].mean() <= 0.03, "hard negatives given the reply by the learned detector alone"


def test_it_names_the_kind_of_most_emergencies(detector, validation) -> None:
    known = [e for e in validation if e.emergency]
    right = sum(detector.kind(e.text)[0] == e.kind for e in known)
    assert right / len(known) >= 0.8


@pytest.mark.parametrize("text", ["what is myofascial release", "how much does a session cost", "thanks, bye"])
def test_ordinary_questions_score_low(detector, text: str) -> None:
    assert detector.score(text) < detector.thresholds.screen


def test_the_thresholds_are_the_recorded_choice(detector) -> None:
    import yaml

    choice = yaml.safe_load(open(PATHS.detector_choice, encoding="utf-8"))
    assert detector.name == choice["model"]
    assert detector.thresholds.emergency == pytest.approx(choice["thresholds"]["emergency"])
    assert detector.thresholds.screen == pytest.approx(choice["thresholds"]["screen"])
    assert detector.thresholds.screen <= detector.thresholds.emergency


# ---------------------------------------------------------------- mfr.safety.decide

T = (0.8, 0.3)


def flag(name: str) -> RedFlagMatch:
    return RedFlagMatch(name, name, ("words",))


@pytest.mark.parametrize(
    "matches, score, classifier, denied, decision, fired",
    [
        pytest.param([flag("stroke")], 0.0, None, (), "emergency", ("rules",), id="rules alone"),
        pytest.param([], 0.9, None, (), "emergency", ("learned",), id="learned alone"),
        pytest.param([flag("stroke")], 0.9, None, (), "emergency", ("rules", "learned"), id="both"),
        pytest.param([], 0.5, None, (), "screen", (), id="grey zone"),
        pytest.param([], 0.1, None, (), "none", (), id="ordinary"),
        pytest.param([], 0.1, 0.95, (), "screen", (), id="classifier alone asks"),
        pytest.param([], 0.9, None, ("chest_pain",), "screen", (), id="learned with a denied flag asks"),
    ],
)
def test_decide(matches, score, classifier, denied, decision, fired) -> None:
    d = safety.decide(matches, score, T, ("chest_pain", 0.9), classifier, False, denied=denied)
    assert d.decision == decision
    assert d.fired == fired
    assert d.as_dict()["decision"] == decision


def test_the_reply_names_the_highest_priority_kind_and_self_harm_comes_first() -> None:
    kinds = safety.default_kinds()
    d = safety.decide([flag("breathing"), flag("choking")], 0.0, T)
    assert d.kind == "choking" and d.words == kinds.words["choking"]
    d = safety.decide([flag("chest_pain"), flag("self_harm")], 0.0, T)
    assert d.kind == "self_harm" and safety.crisis(d.kind)
    # Only the learned detector fired and it thinks of self-harm, even unsurely: the crisis reply.
    d = safety.decide([], 0.95, T, ("self_harm", 0.35))
    assert d.kind == "self_harm"
    # Unsure of any other kind: plain words that claim nothing.
    d = safety.decide([], 0.95, T, ("burns", 0.2))
    assert d.kind == "unknown" and d.words == kinds.default_words


def test_every_kind_has_words_a_reply_and_a_reason() -> None:
    import yaml

    spec = yaml.safe_load(open(D.KINDS_PATH, encoding="utf-8"))
    for name, kind in spec["kinds"].items():
        assert kind["words"] and kind["why"], name
        assert kind["reply"] in ("call_now", "crisis"), name
    assert [k for k, v in spec["kinds"].items() if v["reply"] == "crisis"] == ["self_harm"]


def test_a_bare_condition_name_the_learned_detector_dismisses_asks_the_screen() -> None:
    name = RedFlagMatch("seizure", "a seizure", ("seizure",), name_only=True)
    d = safety.decide([name], 0.01, T)
    assert d.decision == "screen" and d.fired == ()
    assert d.rules[0]["name_only"] and d.notes, "the decision says why"
    # The learned detector agrees it may be urgent: the rules' name is enough.
    assert safety.decide([name], 0.5, T).decision == "emergency"
    # A described sign is never downgraded, whatever the learned score.
    described = RedFlagMatch("seizure", "a seizure", ("jerking all over",))
    assert safety.decide([described], 0.01, T).decision == "emergency"


def test_names_are_matched_after_the_described_signs() -> None:
    from mfr.red_flags import detect_red_flags

    (match,) = [m for m in detect_red_flags("my dad is having a seizure, jerking all over on the floor")
                if m.flag == "seizure"]
    assert not match.name_only
    (match,) = [m for m in detect_red_flags("my sister is prone to seizures, can she have MFR") if m.flag == "seizure"]
    assert match.name_only


def test_a_learned_only_emergency_with_an_ordinary_cause_asks_the_screen() -> None:
    d = safety.decide([], 0.95, T, ordinary_cause=["spin class"])
    assert d.decision == "screen" and d.notes
    # The rules are never overruled by an ordinary cause.
    assert safety.decide([flag("chest_pain")], 0.95, T, ordinary_cause=["gym"]).decision == "emergency"
    # Nor is a message the kind model reads as self-harm: "worked out" there is a plan, not a workout.
    d = safety.decide([], 0.95, T, ("self_harm", 0.86), ordinary_cause=["worked out"])
    assert d.decision == "emergency" and d.kind == "self_harm"
    assert safety.decide([], 0.95, T, ("self_harm", 0.1), ordinary_cause=["worked out"]).decision == "screen"


def test_the_screen_band_alone_does_not_ask_about_a_message_about_nobody() -> None:
    # Grey-zone score, no rule: the screen, unless the message names no person and no symptom.
    assert safety.decide([], 0.5, T, ("burns", 0.4)).decision == "screen"
    d = safety.decide([], 0.5, T, ("burns", 0.4), about_nobody=True)
    assert d.decision == "none" and d.notes, "the decision says why"
    # Self-harm messages often name nobody: still asked, unless the classifier is sure it is out of scope.
    assert safety.decide([], 0.5, T, ("self_harm", 0.8), about_nobody=True).decision == "screen"
    assert safety.decide([], 0.5, T, ("self_harm", 0.8), about_nobody=True,
                         out_of_scope=safety.SURE_OUT_OF_SCOPE).decision == "none"
    # Never a reason to drop the reply, a rule, or the screen of a vetoed high score.
    assert safety.decide([], 0.95, T, about_nobody=True, out_of_scope=1.0).decision == "emergency"
    assert safety.decide([flag("breathing")], 0.5, T, about_nobody=True, out_of_scope=1.0).decision == "emergency"
    assert safety.decide([], 0.95, T, about_nobody=True, denied=["chest_pain"]).decision == "screen"
    # The intent classifier's own emergency guess still asks.
    assert safety.decide([], 0.1, T, classifier_emergency=0.95, about_nobody=True).decision == "screen"


@pytest.mark.parametrize("text, names", [
    ("what's the weather going to be like this weekend?", False),
    ("how bad is traffic on the way into town", False),
    ("cant get air in lips going blue", False),
    ("someone at the next table is choking", True),
    ("my 2yo drank some of the oil", True),
    ("grandad collapsed in the garden", True),
    ("I feel odd", True),
])
def test_a_person_is_named_by_the_writer_a_relative_or_a_bystander(text: str, names: bool) -> None:
    assert safety.default_kinds().names_a_person(text) is names


@pytest.mark.parametrize("text, body", [
    ("ankle completely turned backwards after football tackle, cant feel foot", True),
    ("cant get air in lips going blue", True),
    ("what's the weather going to be like this weekend?", False),
    ("how bad is traffic on the way into town", False),
    ("is the backing track on?", False),
])
def test_a_body_part_counts_when_the_writer_drops_the_pronoun(text: str, body: bool) -> None:
    assert safety.default_kinds().mentions_a_body(text) is body


def test_the_low_screen_band_does_not_ask_about_a_message_the_classifier_is_sure_of() -> None:
    band = (0.8, 0.1)  # a screen threshold under LOW_SCREEN_SCORE, as the trained detector's is
    low, high = safety.LOW_SCREEN_SCORE - 0.05, safety.LOW_SCREEN_SCORE + 0.05
    sure, unsure = safety.SURE_OTHER_INTENT, safety.SURE_OTHER_INTENT - 0.1
    assert safety.decide([], low, band, ("stroke", 0.3)).decision == "screen"
    d = safety.decide([], low, band, ("stroke", 0.3), other_intent=sure)
    assert d.decision == "none" and d.notes, "the decision says why"
    # Higher in the band, or a classifier less sure, or a self-harm reading: still asked.
    assert safety.decide([], high, band, ("stroke", 0.3), other_intent=sure).decision == "screen"
    assert safety.decide([], low, band, ("stroke", 0.3), other_intent=unsure).decision == "screen"
    self_harm = ("self_harm", safety.SELF_HARM_CONFIDENCE)
    assert safety.decide([], low, band, self_harm, other_intent=sure).decision == "screen"
    # A farewell read as self-harm is still asked; another intent the classifier is sure of is not.
    assert safety.decide([], low, band, self_harm, other_intent=sure, other_intent_name="goodbye").decision == "screen"
    assert safety.decide([], low, band, self_harm, other_intent=sure, other_intent_name="inform").decision == "none"
    assert safety.decide([], low, band, self_harm, other_intent=unsure,
                         other_intent_name="inform").decision == "screen"
    # Never a reason to drop a rule, the reply or the classifier's own emergency guess.
    assert safety.decide([flag("stroke")], low, band, other_intent=sure).decision == "emergency"
    assert safety.decide([], 0.95, band, other_intent=sure).decision == "emergency"
    assert safety.decide([], low, band, classifier_emergency=0.95, other_intent=sure).decision == "screen"
