"""The intent model: a linear classifier over TF-IDF word and character n-grams.

Chosen by measurement (`make bench`, README "The model"): on the held-out and
blind question sets it beats the DIET classifier it replaced on accuracy,
out-of-scope rejection and in-scope kept, trains in about a second instead of
minutes, and needs no TensorFlow. Its settings (C, class weights, n-gram
ranges) were chosen by 5-fold cross-validation on the training data only.

A linear SVM gives scores, not probabilities, and "Did you mean" needs
probabilities it can trust. So the scores are turned into probabilities by a
softmax with one temperature, fitted on out-of-fold scores (each training
sentence scored by a model that did not see it); the temperature does not
change which intent wins. ``choose_thresholds`` picks the
FallbackClassifier's thresholds from validation predictions
(evaluation/thresholds.py gives it the registered blind intent tables). Pure:
no Rasa import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.class_weight import compute_class_weight

from mfr import speech
from mfr.linear import LinearLayer, softmax

DEFAULTS: Dict[str, Any] = {
    # 5-fold cross-validation on the training data (macro F1): C 0.5 0.791,
    # 1 0.794, 2 0.797, 3 0.796 with balanced class weights; unbalanced C=1
    # 0.777 (out_of_scope has ten times the sentences of any topic).
    "C": 2.0,
    "class_weight": "balanced",
    # A factor on out_of_scope's balanced weight (1: plain balanced). Balanced weights give each of its many
    # sentences little weight, so questions of the project's own out-of-scope kind (other therapies, medicine
    # doses, errands) lean to a topic; `python -m evaluation.scope_choice` measures the trade.
    "out_of_scope_weight": 1.0,
    "word_ngrams": (1, 2),
    # char_wb 2-5 carries typos and speech-to-text spellings ("my o facial").
    "char_ngrams": (2, 5),
    "folds": 5,
    "random_state": 7,
}


def pipeline(config: Dict[str, Any]) -> Pipeline:
    """TF-IDF (sublinear) word and char_wb n-grams into a linear SVM.

    Both read the text lower-cased with spoken abbreviations ("em eff are")
    written as the abbreviation (mfr/speech.py).
    """
    spoken = speech.load()
    features = FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=tuple(config["word_ngrams"]), sublinear_tf=True,
                                 preprocessor=spoken)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(config["char_ngrams"]), sublinear_tf=True,
                                 preprocessor=spoken)),
    ])
    svm = LinearSVC(C=float(config["C"]), class_weight=config["class_weight"],
                    random_state=int(config["random_state"]))
    return Pipeline([("features", features), ("svm", svm)])


def fit_temperature(scores: np.ndarray, gold: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of the gold labels."""

    def nll(log_t: float) -> float:
        p = softmax(scores, float(np.exp(log_t)))
        return float(-np.mean(np.log(p[np.arange(len(gold)), gold] + 1e-12)))

    result = minimize_scalar(nll, bounds=(-5.0, 3.0), method="bounded")
    return float(np.exp(result.x))


@dataclass
class IntentModel:
    """The fitted features and weights, the temperature and what cross-validation said about them."""

    features: FeatureUnion
    # The SVM's weights as a LinearLayer (mfr/linear.py): float32, transposed
    # for one-row products; the float64 LinearSVC would cost the server about
    # 10 MB more and milliseconds of input validation per message.
    layer: LinearLayer
    temperature: float
    # Out-of-fold probabilities of the training sentences (not persisted).
    validation: Tuple[np.ndarray, np.ndarray] = field(default=(np.zeros((0, 0)), np.zeros(0)), repr=False)

    @property
    def classes(self) -> List[str]:
        """The intents, in the order of the probability columns."""
        return list(self.layer.classes)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """One row of intent probabilities per text (columns in ``classes`` order)."""
        return softmax(self.layer.scores(self.features.transform(list(texts))), self.temperature)

    def rank(self, text: str, length: int = 10) -> List[Dict[str, Any]]:
        """The ``length`` most likely intents, most likely first, as Rasa's ``intent_ranking``."""
        p = self.probabilities([text])[0]
        order = np.argsort(-p, kind="stable")[:length]
        return [{"name": self.classes[i], "confidence": float(p[i])} for i in order]


def layer_of(svm: LinearSVC) -> LinearLayer:
    """The fitted SVM's weights; with two classes, sklearn's one score column as two (-s, s)."""
    coef, intercept = svm.coef_, svm.intercept_
    if coef.shape[0] == 1:
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return LinearLayer.of(coef, intercept, svm.classes_)


def fit(texts: Sequence[str], labels: Sequence[str], config: Dict[str, Any] | None = None) -> IntentModel:
    """Fits the model on every sentence; the temperature on out-of-fold scores."""
    cfg = {**DEFAULTS, **(config or {})}
    classes = sorted(set(labels))
    gold = np.array([classes.index(label) for label in labels])
    weights = class_weights(classes, gold, cfg)
    folds = min(int(cfg["folds"]), min(np.bincount(gold)))
    if folds >= 2:
        cv = StratifiedKFold(folds, shuffle=True, random_state=int(cfg["random_state"]))
        # The folds see class indices (cross_val_predict encodes the labels for decision_function), the final fit
        # class names: the same weights keyed each way.
        by_index: Dict[Any, float] = {i: weights[c] for i, c in enumerate(classes)} if weights else {}
        cv_cfg = {**cfg, "class_weight": by_index or cfg["class_weight"]}
        scores = cross_val_predict(pipeline(cv_cfg), list(texts), gold, cv=cv, method="decision_function")
        if scores.ndim == 1:
            scores = np.stack([-scores, scores], axis=1)
        temperature = fit_temperature(scores, gold)
        validation = (softmax(scores, temperature), gold)
    else:  # too few sentences per intent to hold any out (unit-test sized data)
        temperature, validation = 1.0, (np.zeros((0, len(classes))), np.zeros(0))
    fitted = pipeline({**cfg, "class_weight": weights or cfg["class_weight"]})
    fitted.fit(list(texts), [classes[g] for g in gold])
    return IntentModel(fitted.named_steps["features"], layer_of(fitted.named_steps["svm"]), temperature, validation)


def class_weights(classes: Sequence[str], gold: np.ndarray, cfg: Dict[str, Any]) -> Dict[str, float]:
    """Balanced weights by class name with out_of_scope's scaled; empty when no scaling is asked for."""
    factor = float(cfg["out_of_scope_weight"])
    if factor == 1.0 or cfg["class_weight"] != "balanced" or "out_of_scope" not in classes:
        return {}
    balanced = compute_class_weight("balanced", classes=np.arange(len(classes)), y=gold)
    return {c: float(w) * (factor if c == "out_of_scope" else 1.0) for c, w in zip(classes, balanced, strict=True)}


def fallback_decisions(probs: np.ndarray, threshold: float, ambiguity: float) -> np.ndarray:
    """True where the FallbackClassifier would send the message to "Did you mean"."""
    top2 = -np.sort(-probs, axis=1)[:, :2]
    return np.asarray((top2[:, 0] < threshold) | (top2[:, 0] - top2[:, 1] < ambiguity))


def choose_thresholds(probs: np.ndarray, gold: np.ndarray,
                      thresholds: Sequence[float] = tuple(np.round(np.arange(0.0, 0.61, 0.01), 2)),
                      ambiguities: Sequence[float] = tuple(np.round(np.arange(0.0, 0.21, 0.01), 2)),
                      ) -> Dict[str, float]:
    """FallbackClassifier thresholds that serve users best on validation predictions.

    A right answer scores +1, a wrong one -1 and "Did you mean" 0 (the user
    picks from buttons): the thresholds maximise the sum. Ties go to the
    lower thresholds (fewer questions back).
    """
    right = probs.argmax(axis=1) == gold
    best: Tuple[float, float, float] = (-np.inf, 0.0, 0.0)
    for t in thresholds:
        for a in ambiguities:
            asked = fallback_decisions(probs, t, a)
            utility = float(np.sum(right & ~asked) - np.sum(~right & ~asked))
            if utility > best[0]:
                best = (utility, float(t), float(a))
    asked = fallback_decisions(probs, best[1], best[2])
    return {
        "threshold": best[1],
        "ambiguity_threshold": best[2],
        "validation_n": float(len(gold)),
        "accuracy": float(right.mean()) if len(gold) else 0.0,
        "answered_right": float(np.mean(right & ~asked)) if len(gold) else 0.0,
        "answered_wrong": float(np.mean(~right & ~asked)) if len(gold) else 0.0,
        "did_you_mean": float(np.mean(asked)) if len(gold) else 0.0,
    }
