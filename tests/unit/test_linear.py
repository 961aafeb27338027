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
