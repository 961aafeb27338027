"""The learned emergency detector: a binary text classifier beside the red-flag rules.

The rules (mfr/red_flags.py) are explainable but only know the
phrasings someone thought of; this model learns from every labelled example
the project has (detection/emergency_examples/, the red-flag development and
regression tables, and the intent training data, whose non-emergency
sentences are negatives). Either detector alone is enough for the emergency
reply. Its score also drives the red-flag screen: a message scoring between
the screen threshold and the emergency threshold gets one screening question.

It is a calibrated linear model over TF-IDF word and character n-grams of the
normalised text (the rules' own normalisation: contractions, chat shorthand,
spoken fillers), chosen against other models by cross-validation
(scripts/train_emergency_detector.py, report in reports/emergency_detector.md).
A second linear model over the same features names the kind of emergency
(detection/emergencies.yml) for the reply's wording. Pure: no Rasa import.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import joblib
import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from mfr.data_files import read_yaml
from mfr.linear import LinearLayer
from mfr.red_flags import normalise
from mfr.settings import PATHS, Paths

ROOT = PATHS.root
KINDS_PATH = PATHS.emergencies
# Tables whose rows were looked at (tuned on, or blind until first use): they
# are labelled examples like any other. A blind table joins this list only
# after its first-use figure has been reported.
SEEN_TABLES = (
    "red_flags.yml",
    "red_flags_seen.yml",
    "red_flags_seen_2.yml",
    "red_flags_seen_3.yml",
    "red_flags_seen_4.yml",
    "red_flags_seen_5.yml",
    "red_flags_seen_6.yml",
    "red_flags_seen_7.yml",
    "red_flags_seen_8.yml",
    "red_flags_seen_9.yml",
    "red_flags_seen_10.yml",
    "red_flags_seen_11.yml",
    "red_flags_seen_12.yml",
    "red_flags_seen_13.yml",
    "red_flags_seen_14.yml",
    "red_flags_seen_15.yml",
    "red_flags_seen_16.yml",
    "red_flags_seen_17.yml",
    "red_flags_seen_18.yml",
    "red_flags_seen_19.yml",
    "red_flags_seen_20.yml",
    "red_flags_seen_21.yml",
    "red_flags_seen_22.yml",
    "red_flags_seen_23.yml",
    "red_flags_seen_24.yml",
    "red_flags_seen_25.yml",
    "red_flags_seen_26.yml",
    "red_flags_seen_27.yml",
    "red_flags_seen_28.yml",
    "red_flags_seen_29.yml",
    "red_flags_seen_30.yml",
    "red_flags_seen_31.yml",
    "red_flags_seen_32.yml",
    "red_flags_seen_33.yml",
    "red_flags_seen_34.yml",
    "red_flags_seen_35.yml",
    "red_flags_seen_36.yml",
    "red_flags_seen_37.yml",
    "red_flags_seen_38.yml",
    "red_flags_seen_39.yml",
    "red_flags_seen_40.yml",
    "red_flags_seen_41.yml",
    "red_flags_seen_42.yml",
    "red_flags_seen_43.yml",
    "red_flags_seen_44.yml",
    "red_flags_seen_45.yml",
    "red_flags_seen_46.yml",
    "red_flags_seen_47.yml",
    "red_flags_seen_48.yml",
    "red_flags_seen_49.yml",
    "red_flags_seen_50.yml",
    "red_flags_seen_51.yml",
    "red_flags_seen_52.yml",
    "red_flags_seen_53.yml",
    "red_flags_seen_54.yml",
    "red_flags_seen_55.yml",
    "red_flags_seen_56.yml",
    "red_flags_seen_57.yml",
    "red_flags_seen_58.yml",
    "red_flags_seen_59.yml",
    "red_flags_seen_60.yml",
    "red_flags_seen_61.yml",
    "red_flags_seen_62.yml",
    "red_flags_seen_63.yml",
    "red_flags_seen_64.yml",
    "red_flags_seen_65.yml",
    "red_flags_seen_66.yml",
    "red_flags_seen_67.yml",
    "red_flags_seen_68.yml",
)
# The validation table: a blind table after its first use, left out of
# training so that the model and thresholds are chosen on sentences from a
# writer the model never learned from. It has stayed red_flags_seen_6.yml;
# later blind tables join SEEN_TABLES after their first use instead (the
# current blind table is never learned from either).
VALIDATION_TABLE = "red_flags_seen_6.yml"
ARTIFACT = PATHS.detector
EMERGENCY_INTENT = "emergency"


@dataclass(frozen=True)
class Example:
    """One labelled sentence."""

    text: str
    emergency: bool
    kind: str  # a kind of detection/emergencies.yml, "unknown" or "none"
    source: str
    style: str = "web"
    type: str = ""


def emergency_kinds(path: Path = KINDS_PATH) -> Dict[str, Dict[str, str]]:
    """The kinds of emergency (detection/emergencies.yml)."""
    return dict(read_yaml(path)["kinds"])


def _table_examples(path: Path, source: str) -> List[Example]:
    cases = read_yaml(path).get("cases") or []
    out = []
    for c in cases:
        emergency = bool(c["emergency"])
        kind = c.get("kind") or c.get("flag") or ("unknown" if emergency else "none")
        style = {"telegram": "messaging"}.get(c.get("style", "web"), c.get("style", "web"))
        out.append(Example(str(c["text"]), emergency, str(kind), source, style,
                           str(c.get("type") or c.get("note") or "")))
    return out


_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


def _intent_examples(data_dir: Path) -> List[Example]:
    """Sentences of the Rasa NLU training data; `emergency` ones are positives."""
    out = []
    for path in sorted(data_dir.rglob("*.yml")):
        doc = read_yaml(path) or {}
        for item in doc.get("nlu") or []:
            intent = item.get("intent")
            if not intent:
                continue
            for line in str(item.get("examples", "")).splitlines():
                text = line.strip()
                if not text.startswith("- "):
                    continue
                text = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), text[2:].strip())
                emergency = intent == EMERGENCY_INTENT
                out.append(Example(text, emergency, "unknown" if emergency else "none",
                                   f"intent:{intent}", type="" if emergency else "intent"))
    return out


def validation_examples(paths: Paths = PATHS) -> List[Example]:
    """The validation table's rows."""
    return _table_examples(paths.test_data / VALIDATION_TABLE, VALIDATION_TABLE)


def training_examples(paths: Paths = PATHS, include_validation: bool = False) -> List[Example]:
    """Every labelled example the detector learns from, duplicates removed.

    The validation table is left out unless ``include_validation``.
    """
    examples: List[Example] = []
    for path in sorted(paths.emergency_examples.glob("*.yml")):
        examples += _table_examples(path, f"examples/{path.name}")
    examples += _table_examples(paths.red_flags_dev, "red_flags_dev.yml")
    for name in SEEN_TABLES:
        if name == VALIDATION_TABLE and not include_validation:
            continue
        path = paths.test_data / name
        if path.exists():
            examples += _table_examples(path, name)
    examples += _intent_examples(paths.data)
    seen = set()
    if not include_validation:
        # A sentence that also stands in the validation table (two writers can
        # land on the same words) is left out, so that validation stays unseen.
        seen = {normalise(e.text) for e in validation_examples(paths)}
    unique = []
    for e in examples:
        key = normalise(e.text)
        if key in seen or not key:
            continue
        seen.add(key)
        unique.append(e)
    return unique


def fingerprint(examples: Sequence[Example]) -> str:
    """A hash of the training examples, kept in the artifact."""
    h = hashlib.sha256()
    for e in examples:
        h.update(f"{e.text}\t{e.emergency}\t{e.kind}\n".encode())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------- the model


@dataclass
class Features:
    """TF-IDF word (1-2) and character (2-5, within words) n-grams of the normalised text."""

    word: TfidfVectorizer = field(default_factory=lambda: TfidfVectorizer(
        ngram_range=(1, 2), min_df=1, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"))
    char: TfidfVectorizer = field(default_factory=lambda: TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True))

    def fit(self, texts: Sequence[str]) -> "Features":
        """Learns both vocabularies from ``texts``."""
        norm = [normalise(t) for t in texts]
        self.word.fit(norm)
        self.char.fit(norm)
        # The n-grams min_df dropped, kept by scikit-learn only for inspection
        # (its documentation says they can be removed): memory in every server.
        self.word.stop_words_ = self.char.stop_words_ = None
        return self

    def transform(self, texts: Sequence[str]) -> Any:
        """The sparse feature matrix of ``texts``."""
        norm = [normalise(t) for t in texts]
        return hstack([self.word.transform(norm), self.char.transform(norm)]).tocsr()


@dataclass(frozen=True)
class Thresholds:
    """Scores at or above `emergency` get the reply; at or above `screen`, the screen question."""

    emergency: float
    screen: float


@dataclass
class Detector:
    """The fitted features, binary model, kind model and thresholds."""

    features: Features
    model: Any
    kind_model: Optional[LinearLayer]
    thresholds: Thresholds
    name: str
    trained_on: str
    stats: Dict[str, Any] = field(default_factory=dict)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """The probability that each text describes an emergency."""
        if not texts:
            return np.zeros(0)
        return np.asarray(self.model.predict_proba(self.features.transform(texts))[:, 1])

    def score(self, text: str) -> float:
        """The probability that ``text`` describes an emergency."""
        return float(self.scores([text])[0])

    def kind(self, text: str) -> Tuple[str, float]:
        """The most likely kind of emergency and its probability."""
        return self._kind_of(self.features.transform([text]))

    def assess(self, text: str) -> Tuple[float, Optional[Tuple[str, float]]]:
        """The score, and the kind guess when the score reaches the screen threshold (features built once)."""
        x = self.features.transform([text])
        score = float(self.model.predict_proba(x)[0, 1])
        return score, self._kind_of(x) if score >= self.thresholds.screen else None

    def _kind_of(self, x: Any) -> Tuple[str, float]:
        if self.kind_model is None:
            return "unknown", 0.0
        p = self.kind_model.probabilities(x)
        i = int(np.argmax(p))
        return self.kind_model.classes[i], float(p[i])

    def save(self, path: Path = ARTIFACT) -> None:
        """Writes the detector to ``path`` (joblib)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path)


def logistic_regression(c: float = 8.0) -> LogisticRegression:
    """The default binary model (see the training report for the comparison)."""
    return LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear")


def fit_kind_model(x: Any, kinds: Sequence[str]) -> Optional[LinearLayer]:
    """A multinomial model naming the kind, trained on positives with a known kind."""
    if len(set(kinds)) < 2:
        return None
    model = LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced")
    model.fit(x, list(kinds))
    # Kept as a LinearLayer (mfr/linear.py), not the fitted LogisticRegression:
    # its float64 coefficients and the copy a fast product needs cost the
    # server about 30 MB; without the all-zero rows of the features no
    # emergency shows, about 6 MB less (the Rasa server's peak was 602 MB
    # against the 600 MB target in make bench of 2026-12-07).
    return LinearLayer.of(model.coef_, model.intercept_, model.classes_).without_empty_rows()


def fit(examples: Sequence[Example], model: Any, thresholds: Thresholds, name: str) -> Detector:
    """Trains features, the binary model and the kind model on ``examples``."""
    texts = [e.text for e in examples]
    features = Features().fit(texts)
    x = features.transform(texts)
    y = np.array([e.emergency for e in examples], dtype=int)
    model.fit(x, y)
    known = [i for i, e in enumerate(examples) if e.emergency and e.kind not in ("unknown", "none")]
    kind_model = fit_kind_model(x[known], [examples[i].kind for i in known])
    return Detector(features, model, kind_model, thresholds, name, fingerprint(examples))


def resolve(path: str) -> Path:
    """A detector path from the config: relative paths are relative to the project."""
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


@lru_cache(maxsize=4)
def load(path: Path = ARTIFACT) -> Detector:
    """The trained detector (built by `make detector`), loaded once per process."""
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: build it with `make detector` (scripts/train_emergency_detector.py)"
        )
    detector = joblib.load(path)
    if not isinstance(detector, Detector):
        raise TypeError(f"{path} does not hold an emergency detector")
    return detector


def texts_of(examples: Iterable[Example]) -> List[str]:
    """The texts of ``examples``."""
    return [e.text for e in examples]
