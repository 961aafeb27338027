"""mfr/linear.py: the float32 weights score as the fitted scikit-learn model does."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from mfr.linear import LinearLayer


def test_a_multinomial_models_probabilities_in_a_quarter_of_its_memory() -> None:
    rng = np.random.default_rng(3)
    x = csr_matrix(rng.random((60, 40)) * (rng.random((60, 40)) < 0.2))
    y = rng.integers(0, 3, 60)
    model = LogisticRegression(max_iter=2000).fit(x, y)
    layer = LinearLayer.of(model.coef_, model.intercept_, model.classes_)
    assert layer.weights.dtype == np.float32 and layer.weights.shape == (40, 3)
    assert layer.classes == ("0", "1", "2")
    for row in range(5):
        assert np.allclose(layer.probabilities(x[row]), model.predict_proba(x[row])[0], atol=1e-5)
    assert np.allclose(layer.scores(x[:5]), model.decision_function(x[:5]), atol=1e-4)


def test_a_layer_without_its_empty_rows_scores_the_same() -> None:
    # Features 30 to 39 never occur in training (as the kind model never sees the features only hard negatives
    # have): their weight rows are all zero, and dropping them changes no score.
    rng = np.random.default_rng(5)
    dense = rng.random((80, 40)) * (rng.random((80, 40)) < 0.3)
    dense[:, 30:] = 0.0
    y = rng.integers(0, 4, 80)
    model = LogisticRegression(max_iter=2000).fit(csr_matrix(dense), y)
    full = LinearLayer.of(model.coef_, model.intercept_, model.classes_)
    compact = full.without_empty_rows()
    assert compact.weights.shape == (30, 4) and compact.kept is not None and list(compact.kept) == list(range(30))
    # New messages may use the unseen features: they still count for nothing.
    x = csr_matrix(rng.random((6, 40)) * (rng.random((6, 40)) < 0.5))
    assert np.allclose(compact.scores(x), full.scores(x), atol=1e-5)
    assert np.allclose(compact.probabilities(x[0]), model.predict_proba(x[0])[0], atol=1e-5)
    assert np.allclose(compact.scores(x.toarray()), full.scores(x), atol=1e-5)
