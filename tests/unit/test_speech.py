"""mfr/speech.py: spoken spellings of MFR and MPS read as the abbreviations."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from mfr import intent_model, speech


@pytest.fixture(scope="module")
def spoken() -> speech.SpokenAbbreviations:
    return speech.load()


@pytest.mark.parametrize("said, read", [
    ("What is M F R?", "what is mfr?"),
    ("um em eff are what is that", "um mfr what is that"),
    ("is m. f. r. safe for me", "is mfr safe for me"),
    ("em-eff-are at home", "mfr at home"),
    ("what are the em pee ess symptoms", "what are the mps symptoms"),
    ("uh the m p s one", "uh the mps one"),
])
def test_spelled_out_abbreviations_become_the_abbreviation(spoken: speech.SpokenAbbreviations,
                                                           said: str, read: str) -> None:
    assert spoken(said) == read


@pytest.mark.parametrize("text", [
    "are you a bot", "what are mfr and mps", "m and f are fine", "I am from the US", "em, I'm not sure",
    "my fascia feels tight", "press one for more",
])
def test_other_text_is_only_lower_cased(spoken: speech.SpokenAbbreviations, text: str) -> None:
    assert spoken(text) == text.lower()


def test_the_spellings_survive_saving_with_the_model(spoken: speech.SpokenAbbreviations) -> None:
    again = pickle.loads(pickle.dumps(spoken))
    assert again("em eff are") == "mfr" and again == spoken


def test_the_intent_model_sees_a_spoken_spelling_as_the_abbreviation() -> None:
    texts = ["what is mfr", "mfr meaning", "explain mfr", "is mfr safe", "mfr risks", "mfr side effects"]
    model = intent_model.fit(texts, ["what"] * 3 + ["risks"] * 3, {"folds": 1})
    assert np.allclose(model.probabilities(["uh what is em eff are"]), model.probabilities(["uh what is mfr"]))
    assert model.rank("is em eff are safe")[0]["name"] == "risks"
