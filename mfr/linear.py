"""A fitted linear model's weights, kept small and ready for one-row products.

Both of the server's linear models (the intent model and the emergency
detector's kind model) score one message at a time. scikit-learn keeps their
coefficients as float64 (classes x features) and its ``decision_function``
spends longer validating a one-row input than multiplying it. One transposed
float32 array (features x classes) halves the memory, and the product below
gives the same scores to about 1e-6. Pure: no Rasa import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Sequence, Tuple

import numpy as np
from scipy.special import softmax as _softmax


@dataclass(frozen=True)
class LinearLayer:
    """Scores ``x @ weights + intercept``, one column per class."""

    weights: np.ndarray
    intercept: np.ndarray
    classes: Tuple[str, ...]
    # The features that have a row in ``weights``, in order (``without_empty_rows``); None: every feature has one.
    # A default, so that layers pickled before it load as having every row.
    kept: Optional[np.ndarray] = None

    @classmethod
    def of(cls, coef: np.ndarray, intercept: np.ndarray, classes: Sequence[Any]) -> "LinearLayer":
        """The layer of a fitted model's ``coef_``, ``intercept_`` and ``classes_``."""
        return cls(np.ascontiguousarray(np.asarray(coef).T, dtype=np.float32),
                   np.asarray(intercept, dtype=np.float32).ravel(), tuple(str(c) for c in classes))

    def without_empty_rows(self) -> "LinearLayer":
        """The same scores from only the weight rows that are not all zero.

        A model trained on part of the data the features were fitted on (the
        detector's kind model learns from emergencies only) gives exactly zero
        weight to every feature that part never shows: 43 % of the kind
        model's rows, about 6 MB of the server's memory.
        """
        kept = np.flatnonzero(np.any(self.weights != 0, axis=1)).astype(np.int32)
        return LinearLayer(np.ascontiguousarray(self.weights[kept]), self.intercept, self.classes, kept)

    def scores(self, x: Any) -> np.ndarray:
        """One row of class scores per row of the (sparse or dense) feature matrix ``x``."""
        if self.kept is not None:
            x = x[:, self.kept]
        # The features in float32 too: a float64 matrix times float32 weights
        # would make scipy copy the whole weight array to float64 on every call.
        z = x.astype(np.float32) @ self.weights
        return np.asarray(z, dtype=np.float64) + self.intercept

    def probabilities(self, x: Any) -> np.ndarray:
        """The softmax of the scores of the one-row feature matrix ``x`` (a multinomial model's probabilities)."""
        return softmax(self.scores(x))[0]


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``scores / temperature`` (both linear models' probabilities)."""
    return np.asarray(_softmax(np.asarray(scores, dtype=np.float64) / temperature, axis=1))
