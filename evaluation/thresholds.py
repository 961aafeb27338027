"""Prints the FallbackClassifier thresholds that the training data's out-of-fold predictions choose.

    .venv/bin/python -m evaluation.thresholds

The intent model is fitted on config.yml's settings; every training sentence
is scored by a model that did not see it (5 folds), and
``mfr.intent_model.choose_thresholds`` picks the thresholds. The held-out
tests are never read here. Copy the two figures into config.yml.
"""

from __future__ import annotations

import json
from typing import Any, Dict

from mfr import intent_model
from mfr.data_files import read_yaml
from mfr.settings import PATHS


def classifier_config() -> Dict[str, Any]:
    """The LinearIntentClassifier's settings in config.yml."""
    for component in read_yaml(PATHS.root / "config.yml")["pipeline"]:
        if component["name"].endswith("LinearIntentClassifier"):
            return {k: v for k, v in component.items() if k != "name"}
    raise LookupError("config.yml has no LinearIntentClassifier")


def main() -> None:
    """Fits, chooses and prints."""
    from bench.training import training_examples

    examples = training_examples()
    model = intent_model.fit([t for t, _ in examples], [i for _, i in examples], classifier_config())
    chosen = intent_model.choose_thresholds(*model.validation)
    print(json.dumps({"temperature": round(model.temperature, 4), **chosen}, indent=2))


if __name__ == "__main__":
    main()
