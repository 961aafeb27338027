"""The intent model (mfr/intent_model.py) and its Rasa component (components/intent_classifier.py).

Small made-up training sets: they pin down what the code does (fit, calibrate,
rank, choose thresholds, save and load inside a Rasa model storage), not how
well the project's model does; tests/model/ checks that on held-out data.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.intent_classifier import LinearIntentClassifier
from mfr import intent_model
from mfr.linear import softmax

Examples = Tuple[List[str], List[str]]


def test_unseen_wordings_get_their_intent(topic_model: intent_model.IntentModel) -> None:
    assert topic_model.rank("hello, good afternoon")[0]["name"] == "greet"
    assert topic_model.rank("how much does a session cost?")[0]["name"] == "price"
    assert topic_model.rank("are there side effects or risks")[0]["name"] == "risks"


def test_ranking_is_a_probability_distribution_most_likely_first(topic_model: intent_model.IntentModel) -> None:
    ranking = topic_model.rank("is it safe for me", length=10)
    assert ranking[0]["name"] == "risks"
    assert len(ranking) == 3
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert topic_model.rank("is it safe for me", length=2) == ranking[:2]


def test_the_kept_float32_weights_give_the_svms_scores(
        topic_model: intent_model.IntentModel, topic_examples: Examples) -> None:
    texts, labels = topic_examples
    svm = intent_model.pipeline({**intent_model.DEFAULTS, "folds": 4}).fit(texts, labels)
    asked = ["is it safe for me", "how much", "hello there", "zzz"]
    assert topic_model.layer.weights.dtype == np.float32 and topic_model.classes == list(svm.classes_)
    expected = softmax(svm.decision_function(asked), topic_model.temperature)
    assert np.allclose(topic_model.probabilities(asked), expected, atol=1e-5)


def test_two_intents_get_two_columns_as_the_svm_scores_them() -> None:
    texts, labels = ["hi", "hello", "hey", "bye", "goodbye", "see you"], ["greet"] * 3 + ["bye"] * 3
    svm = intent_model.pipeline({**intent_model.DEFAULTS}).fit(texts, labels)
    model = intent_model.fit(texts, labels, {"folds": 1})
    s = svm.decision_function(["hiya", "bye now"])  # one column: the second class's score
    assert np.allclose(model.probabilities(["hiya", "bye now"]),
                       softmax(np.stack([-s, s], axis=1), 1.0), atol=1e-5)


def test_temperature_is_fitted_on_out_of_fold_scores(topic_model: intent_model.IntentModel) -> None:
    probs, gold = topic_model.validation
    assert probs.shape == (24, 3) and len(gold) == 24
    assert topic_model.temperature != 1.0
    # The fitted temperature explains the out-of-fold labels better than its neighbours.
    scores = np.log(probs) * topic_model.temperature

    def nll(t: float) -> float:
        p = softmax(scores, t)
        return float(-np.mean(np.log(p[np.arange(len(gold)), gold])))

    assert nll(topic_model.temperature) <= min(nll(topic_model.temperature * 2), nll(topic_model.temperature / 2))


def test_temperature_does_not_change_the_winner() -> None:
    scores = np.array([[2.0, 1.0, -1.0], [0.1, 0.3, 0.2]])
    for t in (0.1, 1.0, 5.0):
        assert list(softmax(scores, t).argmax(axis=1)) == [0, 1]
    assert softmax(scores, 0.1)[0, 0] > softmax(scores, 5.0)[0, 0]


def test_too_little_data_for_folds_still_fits() -> None:
    model = intent_model.fit(["hi", "bye"], ["greet", "goodbye"])
    assert model.temperature == 1.0
    assert model.rank("hi")[0]["name"] == "greet"


def test_out_of_scope_weight_scales_only_out_of_scope_balanced_weight() -> None:
    classes = ["greet", "out_of_scope", "price"]
    gold = np.array([0, 1, 1, 1, 1, 1, 2, 2])  # 1, 5 and 2 sentences
    cfg = {**intent_model.DEFAULTS, "out_of_scope_weight": 3.0}
    weights = intent_model.class_weights(classes, gold, cfg)
    balanced = {"greet": 8 / 3, "out_of_scope": 8 / 15, "price": 8 / 6}
    assert weights == pytest.approx({**balanced, "out_of_scope": 3 * balanced["out_of_scope"]})
    # A factor of 1 leaves sklearn's own "balanced" in charge.
    assert intent_model.class_weights(classes, gold, intent_model.DEFAULTS) == {}


def test_a_heavier_out_of_scope_class_moves_the_svm_margin_towards_it() -> None:
    hours = ["what time do you open", "when are you open", "opening hours please", "are you open today"]
    other = ["what is the weather", "tell me a joke", "who won the football", "book me a taxi",
             "what is the capital of france", "play some music", "recipe for pancakes", "set an alarm"]
    texts = [*hours, *other]
    labels = ["hours"] * len(hours) + ["out_of_scope"] * len(other)
    sentences = ["what time", "what is open today", "time please"]

    def margins(model: intent_model.IntentModel) -> np.ndarray:
        # The SVM's own scores: the temperature is fitted per model and would blur the comparison.
        scores = model.layer.scores(model.features.transform(sentences))
        return scores[:, model.classes.index("out_of_scope")] - scores[:, model.classes.index("hours")]

    plain = intent_model.fit(texts, labels, {"folds": 2})
    heavy = intent_model.fit(texts, labels, {"folds": 2, "out_of_scope_weight": 10.0})
    assert (margins(heavy) > margins(plain)).all()


def test_fallback_decisions_follow_threshold_and_ambiguity() -> None:
    probs = np.array([[0.9, 0.05, 0.05], [0.3, 0.25, 0.45], [0.5, 0.48, 0.02]])
    assert list(intent_model.fallback_decisions(probs, 0.4, 0.0)) == [False, False, False]
    assert list(intent_model.fallback_decisions(probs, 0.46, 0.0)) == [False, True, False]
    assert list(intent_model.fallback_decisions(probs, 0.4, 0.05)) == [False, False, True]


def test_thresholds_send_the_doubtful_wrong_answers_to_did_you_mean() -> None:
    # Confident predictions are right; of the unsure ones, those at 0.35 are wrong, those at 0.38 right.
    right = [[0.9, 0.1]] * 20
    unsure_wrong = [[0.35, 0.3]] * 6  # predicts 0, gold 1
    unsure_right = [[0.38, 0.3]] * 2
    probs = np.array(right + unsure_wrong + unsure_right)
    gold = np.array([0] * 20 + [1] * 6 + [0] * 2)
    chosen = intent_model.choose_thresholds(probs, gold, ambiguities=(0.0,))
    # The lowest threshold that asks back the six wrong ones and answers the rest.
    assert chosen["threshold"] == 0.36
    assert chosen["answered_wrong"] == 0.0
    assert chosen["did_you_mean"] == pytest.approx(6 / 28)


def test_thresholds_stay_low_when_confidences_are_trustworthy() -> None:
    probs = np.array([[0.9, 0.1]] * 10 + [[0.4, 0.6]] * 3)
    gold = np.array([0] * 10 + [1] * 3)
    chosen = intent_model.choose_thresholds(probs, gold)
    assert chosen == {**chosen, "threshold": 0.0, "ambiguity_threshold": 0.0, "did_you_mean": 0.0}


# ---------------------------------------------------------------- the Rasa component


def training_data(examples: Examples) -> TrainingData:
    texts, labels = examples
    return TrainingData([Message(data={"text": t, "intent": i}) for t, i in zip(texts, labels, strict=True)])


def test_component_trains_saves_loads_and_classifies(tmp_path: Path, topic_examples: Examples) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intent_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**LinearIntentClassifier.get_default_config(), "folds": 4}
    trained = LinearIntentClassifier.create(config, storage, resource, context)
    trained.train(training_data(topic_examples))

    loaded = LinearIntentClassifier.load(config, storage, resource, context)
    message = Message(data={"text": "how much does it cost"})
    loaded.process([message])
    assert message.get("intent")["name"] == "price"
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "price" and len(ranking) == 3
    assert message.get("intent") == ranking[0]
    # Same answer as the model before saving.
    before = Message(data={"text": "how much does it cost"})
    trained.process([before])
    assert before.get("intent") == message.get("intent")


def test_component_gives_empty_text_no_intent(tmp_path: Path, topic_examples: Examples) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    component = LinearIntentClassifier.create({"folds": 4}, storage, Resource("c"), context)
    component.train(training_data(topic_examples))
    message = Message(data={"text": ""})
    component.process([message])
    # Rasa's "no intent", which the FallbackClassifier after it can read.
    assert message.get("intent") == {"name": None, "confidence": 0.0}
    assert message.get("intent_ranking") == []


def test_untrained_component_loads_and_does_nothing(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    resource = Resource("nothing")
    LinearIntentClassifier.create({}, storage, resource, context).train(TrainingData([]))
    component = LinearIntentClassifier.load({}, storage, resource, context)
    message = Message(data={"text": "hello"})
    component.process([message])
    assert message.get("intent") == {"name": None, "confidence": 0.0}


def test_fallback_classifier_after_it_reads_an_empty_message(tmp_path: Path, topic_examples: Examples) -> None:
    # Found by the socket.io fuzz test: an empty text reached Rasa's FallbackClassifier without an intent.
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    component = LinearIntentClassifier.create({"folds": 4}, storage, Resource("c"), context)
    component.train(training_data(topic_examples))
    fallback = FallbackClassifier({**FallbackClassifier.get_default_config(), "threshold": 0.4})
    message = Message(data={"text": ""})
    fallback.process(component.process([message]))
    assert message.get("intent")["name"] == "nlu_fallback"
