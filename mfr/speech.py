"""Spoken spellings of the domain's abbreviations, read back as the abbreviation.

Speech-to-text writes "MFR" as letters ("m f r", "M. F. R.") or as the
letters' names ("em eff are"). The intent classifier's n-grams cannot link
those to the "mfr" its training data spells, so its preprocessor
(``SpokenAbbreviations``, a TF-IDF ``preprocessor``) writes each spelling as
the abbreviation before the features are taken, in training and in use. The
spellings are data (detection/spoken_abbreviations.yml). Pure: no Rasa import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence

from mfr.data_files import read_yaml
from mfr.settings import PATHS

SPOKEN_ABBREVIATIONS = PATHS.detection / "spoken_abbreviations.yml"
# Between spoken letters: spaces, dots or hyphens ("m. f. r.", "em-eff-are").
_GAP = r"\.?[\s.\-]+"


@dataclass
class SpokenAbbreviations:
    """Lower-cases a text and writes each spelled-out abbreviation as the abbreviation.

    A callable object, not a closure, so that the fitted vectorizer that
    holds it can be saved with joblib (compiled patterns pickle).
    """

    abbreviations: Sequence[str]
    letters: Dict[str, List[str]]
    _patterns: List[re.Pattern] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._patterns = [self._pattern(a) for a in self.abbreviations]

    def _pattern(self, abbreviation: str) -> re.Pattern:
        spoken = [f"(?:{'|'.join(map(re.escape, self.letters.get(ch, [ch])))})" for ch in abbreviation]
        return re.compile(r"\b" + _GAP.join(spoken) + r"\b\.?")

    def __call__(self, text: str) -> str:
        """``text`` lower-cased, each spelled-out abbreviation written as the abbreviation."""
        text = text.lower()
        for abbreviation, pattern in zip(self.abbreviations, self._patterns, strict=True):
            text = pattern.sub(abbreviation, text)
        return text


def load(path: Path = SPOKEN_ABBREVIATIONS) -> SpokenAbbreviations:
    """The spellings in ``path``."""
    data = read_yaml(path)
    return SpokenAbbreviations([str(a).lower() for a in data["abbreviations"]],
                               {str(k).lower(): [str(v).lower() for v in vs] for k, vs in data["letters"].items()})
