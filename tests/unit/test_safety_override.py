"""SafetyOverride: either detector gives the emergency reply; the grey zone gets the screen.

The learned detector is replaced by a fixed table of scores here, so that these
tests pin down how the component combines the detectors, whatever the trained
model scores; tests/unit/test_emergency_detector.py tests the model itself.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import pytest
from rasa.shared.nlu.training_data.message import Message

from mfr.emergency_detector import Thresholds
from components.input_guard import InputGuard
from components.safety_override import SafetyOverride

THRESHOLDS = Thresholds(emergency=0.8, screen=0.3)
# Learned-detector scores for the texts below; any other text scores 0.
SCORES = {
    "something feels off with my body right now": 0.5,
    "is it going to be sunny at the weekend": 0.5,
    "my back is killing me and I feel odd": 0.5,
    "everything feels wrong since the session and I am frightened": 0.95,
    "no chest pain and no trouble breathing, I just feel odd": 0.9,
}


class FixedDetector:
    """Stands in for the trained detector: scores from SCORES, kind unknown."""

    thresholds = THRESHOLDS

    def score(self, text: str) -> float:
        return SCORES.get(text, 0.0)

    def kind(self, text: str) -> Tuple[str, float]:
        return "dvt_pe", 0.9

    def assess(self, text: str) -> Tuple[float, Optional[Tuple[str, float]]]:
        score = self.score(text)
        return score, self.kind(text) if score >= self.thresholds.screen else None


def classified(text: str, ranking: List[Tuple[str, float]], issue: Optional[str] = None) -> Message:
    message = Message(data={"text": text})
    intents = [{"name": n, "confidence": c} for n, c in ranking]
    message.set("intent", intents[0], add_to_output=True)
    message.set("intent_ranking", intents, add_to_output=True)
    if issue:
        message.set("input_issue", issue, add_to_output=True)
    return message


def run(message: Message) -> Message:
    component = SafetyOverride({**SafetyOverride.get_default_config(), "classifier_emergency_threshold": 0.8})
    component._detector = FixedDetector()  # type: ignore[assignment]
    return component.process([message])[0]


@pytest.mark.parametrize(
    "text, ranking, expected",
    [
        pytest.param("my arm went numb on one side, is that a trigger point?", [("trigger_points", 0.97)],
                     "emergency", id="rule beats a confident topic"),
        pytest.param("I have crushing chest pain", [("nlu_fallback", 0.35), ("risks", 0.3)],
                     "emergency", id="rule beats the fallback"),
        # The intent classifier alone never gives the emergency reply; it asks the screen question.
        pytest.param("my whole body feels wrong and I am scared", [("emergency", 0.93), ("inform", 0.05)],
                     "red_flag_screen", id="confident classifier asks the screen"),
        pytest.param("tell me about the sessions", [("emergency", 0.6), ("how_it_works", 0.3)],
                     "how_it_works", id="unsure classifier demoted"),
        # Vague, but about the writer's body now: the learned detector's grey zone asks first.
        pytest.param("something feels off with my body right now", [("emergency", 0.6), ("inform", 0.3)],
                     "red_flag_screen", id="grey zone gets the screen"),
        # The same grey-zone score for a message about nobody and no symptom: no screen.
        pytest.param("is it going to be sunny at the weekend", [("out_of_scope", 0.9)],
                     "out_of_scope", id="grey zone about nobody answered"),
        pytest.param("my back is killing me and I feel odd", [("back_pain", 0.6)],
                     "red_flag_screen", id="grey zone about the writer asks"),
        pytest.param("no chest pain, just a stiff neck", [("emergency", 0.95), ("inform", 0.04)],
                     "inform", id="negated red flag vetoes the classifier"),
        pytest.param("legs feel heavy and dead after leg day", [("emergency", 0.95), ("inform", 0.04)],
                     "inform", id="ordinary cause vetoes the classifier"),
        pytest.param("what are the risks", [("risks", 0.99)], "risks", id="ordinary question untouched"),
        pytest.param("everything feels wrong since the session and I am frightened", [("inform", 0.9)], "emergency",
                     id="learned detector alone is enough"),
        pytest.param("no chest pain and no trouble breathing, I just feel odd", [("inform", 0.9)],
                     "red_flag_screen", id="learned alone with a denied red flag asks first"),
    ],
)
def test_intent_after_override(text: str, ranking: List[Tuple[str, float]], expected: str) -> None:
    message = run(classified(text, ranking))
    assert message.get("intent")["name"] == expected
    if expected == "emergency":
        assert message.get("emergency_detection")["fired"], "an emergency always says which detector fired"


def test_input_problem_gets_its_intent_unless_there_is_a_red_flag() -> None:
    assert run(classified("😀😀", [("greet", 0.5)], issue="no_text")).get("intent")["name"] == "unclear_input"
    long_with_flag = "x " * 600 + "and I want to kill myself"
    guard = InputGuard({"max_chars": 1000})
    message = guard.process([Message(data={"text": long_with_flag})])[0]
    message.set("intent", {"name": "greet", "confidence": 0.9})
    message.set("intent_ranking", [{"name": "greet", "confidence": 0.9}])
    assert len(message.get("text")) == 1000, "the classifier sees clipped text"
    assert run(message).get("intent")["name"] == "emergency", "red flags are read in the whole text"


def test_the_decision_is_recorded_with_the_original_intent_and_the_reply_wording() -> None:
    screened = run(classified("something feels off with my body right now", [("who_benefits", 0.7)]))
    assert screened.get("screened_intent")["name"] == "who_benefits", "a 'no' can still answer it"
    assert screened.get("emergency_detection")["decision"] == "screen"
    assert screened.get("emergency_detection")["learned"]["score"] == 0.5

    emergency = run(classified("everything feels wrong since the session and I am frightened", [("inform", 0.9)]))
    detection = emergency.get("emergency_detection")
    assert detection["fired"] == ["learned"]
    assert detection["kind"] == "dvt_pe", "only the learned detector fired: its kind guess names it"
    entities = {e["entity"]: e["value"] for e in emergency.get("entities")}
    assert entities["emergency_kind"] == "dvt_pe"
    assert "clot" in entities["emergency_what"], "the reply's plain words come from detection/emergencies.yml"

    by_rules = run(classified("I think I'm having a stroke, my face is drooping", [("inform", 0.9)]))
    assert by_rules.get("emergency_detection")["fired"] == ["rules"]
    assert by_rules.get("emergency_detection")["rules"][0]["flag"] == "stroke"
