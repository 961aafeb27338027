"""Chooses, trains and saves the learned emergency detector (`make detector`).

    .venv/bin/python scripts/train_emergency_detector.py [--out build/emergency_detector.joblib]
                                                         [--report reports/emergency_detector.md]

1. Loads every labelled example (components.emergency_detector.training_examples).
2. Scores each candidate model by 5-fold cross-validation (out-of-fold scores on
   every example), recall first: each candidate's emergency threshold is the
   highest score that keeps out-of-fold recall at or above RECALL_TARGET, its
   screen threshold the highest that keeps it at SCREEN_RECALL_TARGET; the
   candidate with the fewest hard negatives at or above its emergency threshold
   wins (ties: fewer screened hard negatives, then the simpler model).
3. Trains the winner on all examples and writes it with its thresholds, and a
   report of the comparison.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from components import emergency_detector as D

RECALL_TARGET = 0.98
SCREEN_RECALL_TARGET = 0.995
FOLDS = 5
SEED = 7


@dataclass(frozen=True)
class Candidate:
    """A model to compare, built fresh for each fold."""

    name: str
    make: Callable[[], Any]


CANDIDATES = (
    Candidate("logistic regression, C=2", lambda: D.logistic_regression(2.0)),
    Candidate("logistic regression, C=8", lambda: D.logistic_regression(8.0)),
    Candidate("logistic regression, C=32", lambda: D.logistic_regression(32.0)),
    Candidate("linear SVM, sigmoid-calibrated", lambda: CalibratedClassifierCV(
        LinearSVC(C=0.5, class_weight="balanced"), cv=3, method="sigmoid")),
    Candidate("SGD, modified Huber", lambda: SGDClassifier(
        loss="modified_huber", alpha=1e-5, class_weight="balanced", random_state=SEED, max_iter=50)),
    Candidate("complement naive Bayes", lambda: ComplementNB(alpha=0.3)),
)


def threshold_for(scores: np.ndarray, positive: np.ndarray, target: float) -> float:
    """The highest threshold that keeps recall on ``positive`` rows at or above ``target``."""
    pos = np.sort(scores[positive])
    if len(pos) == 0:
        return 0.5
    allowed_misses = int(np.floor((1 - target) * len(pos)))
    return float(pos[allowed_misses])


def out_of_fold(candidate: Candidate, examples: Sequence[D.Example]) -> np.ndarray:
    """Out-of-fold emergency scores for every example."""
    texts = D.texts_of(examples)
    y = np.array([e.emergency for e in examples], dtype=int)
    scores = np.zeros(len(examples))
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(texts, y):
        features = D.Features().fit([texts[i] for i in train])
        model = candidate.make()
        model.fit(features.transform([texts[i] for i in train]), y[train])
        scores[test] = model.predict_proba(features.transform([texts[i] for i in test]))[:, 1]
    return scores


def evaluate(candidate: Candidate, examples: Sequence[D.Example]) -> Dict[str, Any]:
    """Thresholds and out-of-fold figures of one candidate."""
    started = time.perf_counter()
    scores = out_of_fold(candidate, examples)
    seconds = time.perf_counter() - started
    y = np.array([e.emergency for e in examples])
    hard = np.array([not e.emergency and e.type != "intent" for e in examples])
    ordinary = np.array([not e.emergency and e.type == "intent" for e in examples])
    t_e = threshold_for(scores, y, RECALL_TARGET)
    t_s = min(t_e, threshold_for(scores, y, SCREEN_RECALL_TARGET))
    return {
        "name": candidate.name,
        "thresholds": D.Thresholds(emergency=t_e, screen=t_s),
        "recall": float(np.mean(scores[y] >= t_e)),
        "recall_or_screen": float(np.mean(scores[y] >= t_s)),
        "hard_reply": float(np.mean(scores[hard] >= t_e)),
        "hard_screen": float(np.mean((scores[hard] >= t_s) & (scores[hard] < t_e))),
        "ordinary_reply": float(np.mean(scores[ordinary] >= t_e)),
        "ordinary_screen": float(np.mean((scores[ordinary] >= t_s) & (scores[ordinary] < t_e))),
        "cv_seconds": seconds,
        "scores": scores,
    }


def write_report(path: Path, examples: Sequence[D.Example], results: List[Dict[str, Any]],
                 winner: Dict[str, Any]) -> None:
    pos = sum(e.emergency for e in examples)
    hard = sum(not e.emergency and e.type != "intent" for e in examples)
    lines = [
        "# The learned emergency detector: model choice",
        "",
        "Written by `make detector` (scripts/train_emergency_detector.py). Figures are "
        f"{FOLDS}-fold cross-validated (out-of-fold) on the training examples: {len(examples)} "
        f"sentences, {pos} emergencies, {hard} hard negatives, "
        f"{len(examples) - pos - hard} ordinary sentences of the intent training data.",
        "",
        f"Each model's emergency threshold keeps out-of-fold recall at {RECALL_TARGET:.1%} or more, its screen "
        f"threshold at {SCREEN_RECALL_TARGET:.1%}; fewest hard negatives given the reply wins.",
        "",
        "| model | emergency threshold | screen threshold | recall | reply or screen | hard negatives: reply "
        "| hard negatives: screen | ordinary: reply | ordinary: screen | CV time |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        t = r["thresholds"]
        mark = " (chosen)" if r is winner else ""
        lines.append(
            f"| {r['name']}{mark} | {t.emergency:.3f} | {t.screen:.3f} | {r['recall']:.1%} | "
            f"{r['recall_or_screen']:.1%} | {r['hard_reply']:.1%} | {r['hard_screen']:.1%} | "
            f"{r['ordinary_reply']:.2%} | {r['ordinary_screen']:.2%} | {r['cv_seconds']:.0f} s |"
        )
    lines += ["", "Out-of-fold figures are optimistic: the examples were written by few hands. The honest "
              "figures are the blind tables' first-use figures (README, Quality)."]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=D.ARTIFACT)
    parser.add_argument("--report", type=Path, default=D.ROOT / "reports" / "emergency_detector.md")
    parser.add_argument("--only", default=None, help="train this candidate without comparing (by name)")
    args = parser.parse_args()
    examples = D.training_examples()
    print(f"{len(examples)} examples, {sum(e.emergency for e in examples)} emergencies")
    candidates = [c for c in CANDIDATES if args.only is None or c.name == args.only]
    results = []
    for candidate in candidates:
        r = evaluate(candidate, examples)
        results.append(r)
        print(f"  {r['name']:<34} recall {r['recall']:.3f} / {r['recall_or_screen']:.3f}  "
              f"hard reply {r['hard_reply']:.3f} screen {r['hard_screen']:.3f}  "
              f"ordinary {r['ordinary_reply']:.4f} / {r['ordinary_screen']:.4f}  ({r['cv_seconds']:.0f} s)")
    winner = min(results, key=lambda r: (round(r["hard_reply"], 3), round(r["hard_screen"], 3),
                                          results.index(r)))
    chosen = next(c for c in candidates if c.name == winner["name"])
    detector = D.fit(examples, chosen.make(), winner["thresholds"], chosen.name)
    detector.stats = {k: v for k, v in winner.items() if k not in ("scores", "thresholds")}
    detector.save(args.out)
    write_report(args.report, examples, results, winner)
    print(f"chosen: {chosen.name}, thresholds {winner['thresholds']}; wrote {args.out} and {args.report}")


if __name__ == "__main__":
    main()
