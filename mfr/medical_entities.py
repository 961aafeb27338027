"""Symptom and risk-factor mentions, found by a spaCy pipeline the project builds.

The pipeline is a blank English tokenizer, the lookup lemmatiser from
spacy-lookups-data, an AttributeRuler for contractions and a SpanRuler
whose token patterns come from
``detection/lexicon.yml``. ``build_pipeline`` makes it (``scripts/build_spacy.py``
saves it for Rasa's ``SpacyNLP``); ``find_mentions`` reads a processed ``Doc``
and decides, mention by mention, whether it is negated or only about what
treatment might cause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from mfr.data_files import read_yaml
from mfr.settings import PATHS

LEXICON_PATH = PATHS.lexicon
PIPELINE_PATH = PATHS.spacy_pipeline

# Entity types as Rasa sees them, and the span labels behind them.
SYMPTOM = "symptom"
RISK_FACTOR = "risk_factor"
_LABELS = {"symptoms": "SYMPTOM", "risk_factors": "RISK_FACTOR"}
_ENTITY_OF_LABEL = {"SYMPTOM": SYMPTOM, "RISK_FACTOR": RISK_FACTOR}
AGE_LABEL = "AGE"
FRAIL_OLDER_ADULT = "frail_older_adult"


@dataclass(frozen=True)
class Mention:
    """A symptom or risk factor named in a message."""

    entity: str  # SYMPTOM or RISK_FACTOR
    value: str  # canonical id, e.g. "knots"
    start: int
    end: int
    text: str
    negated: bool = False
    hypothetical: bool = False

    @property
    def affirmed(self) -> bool:
        """Whether the message says the person has it."""
        return not (self.negated or self.hypothetical)


@dataclass(frozen=True)
class Lexicon:
    """``detection/lexicon.yml`` as loaded."""

    spec: Dict[str, Any]

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> "Lexicon":
        """Reads the lexicon file."""
        return cls(read_yaml(path))

    @property
    def negation_cues(self) -> List[str]:
        """Lemmas that negate a following mention."""
        return list(self.spec["negation_cues"])

    @property
    def effect_cues(self) -> List[str]:
        """Lemmas that mark a mention as an effect of treatment."""
        return list(self.spec["effect_cues"])

    @property
    def clause_breaks(self) -> List[str]:
        """Lemmas that end a clause."""
        return list(self.spec["clause_breaks"])

    @property
    def window(self) -> int:
        """How many words before a mention the cues are looked for."""
        return int(self.spec["negation_window"])

    @property
    def older_adult_age(self) -> int:
        """The age from which a person counts as an older adult."""
        return int(self.spec["older_adult_age"])


def _lemma_of(nlp: Language, word: str) -> Optional[str]:
    doc = nlp.make_doc(word.lower())
    if len(doc) != 1:
        return None
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc[0].lemma_ or doc[0].lower_


def phrase_to_pattern(
    nlp: Language, phrase: str, clause_breaks: Sequence[str], attr: str = "LEMMA"
) -> List[Dict[str, Any]]:
    """Turns one lexicon phrase into a spaCy Matcher token pattern."""
    gap = {"IS_PUNCT": False, "LEMMA": {"NOT_IN": list(clause_breaks)}, "OP": "?"}
    pattern: List[Dict[str, Any]] = []
    for word in phrase.split():
        if word == "...":
            pattern.extend([dict(gap), dict(gap), dict(gap)])
            continue
        if word == "*":
            pattern.append(dict(gap))
            continue
        optional = word.endswith("?")
        alternatives = word.rstrip("?").split("|")
        if attr == "LEMMA":
            forms = sorted({lem for alt in alternatives if (lem := _lemma_of(nlp, alt))})
        else:  # exact word forms, only to measure what the lemmas are worth
            forms = sorted({alt.lower() for alt in alternatives})
        if not forms:
            raise ValueError(f"No single-token word in {word!r} of {phrase!r}")
        token: Dict[str, Any] = {attr: {"IN": forms}}
        if optional:
            token["OP"] = "?"
        pattern.append(token)
    return pattern


# "I'm 86", "aged 90", "a 79 year old", "she is 88".
_AGE_PATTERNS: List[List[Dict[str, Any]]] = [
    [{"LIKE_NUM": True}, {"LOWER": {"IN": ["year", "years", "yr", "yrs"]}}, {"LOWER": "old"}],
    [{"LIKE_NUM": True}, {"LOWER": {"IN": ["yo", "y/o", "yrs", "years"]}}],
    [{"LOWER": {"IN": ["aged", "age"]}}, {"LIKE_NUM": True}],
    [{"LEMMA": "be"}, {"LIKE_NUM": True}],
    [{"LOWER": {"IN": ["turned", "turning"]}}, {"LIKE_NUM": True}],
]


# Contraction pieces keep their surface form as lemma in the lookup tables
# ("ca" of "can't"); the AttributeRuler gives them the lemma of the full word.
_CONTRACTION_LEMMAS = {"ca": "can", "wo": "will", "sha": "shall", "n't": "not", "nt": "not", "'m": "be", "'re": "be"}
SPANS_KEY = "mfr"


def build_pipeline(lexicon: Optional[Lexicon] = None, attr: str = "LEMMA") -> Language:
    """Builds the project's spaCy pipeline: tokenizer, lemmatiser, span rules.

    ``attr="LOWER"`` matches exact word forms instead of lemmas (used only to
    measure what the lemmas are worth).
    """
    import spacy

    lexicon = lexicon or Lexicon.load()
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    attributes = nlp.add_pipe("attribute_ruler")
    nlp.initialize()  # loads the lookup tables; it would also clear rules added before
    for surface, lemma in _CONTRACTION_LEMMAS.items():
        attributes.add([[{"LOWER": surface}]], {"LEMMA": lemma})  # type: ignore[attr-defined]
    patterns = []
    for group, label in _LABELS.items():
        for canonical, phrases in lexicon.spec[group].items():
            for phrase in phrases:
                patterns.append(
                    {
                        "label": label,
                        "id": canonical,
                        "pattern": phrase_to_pattern(nlp, phrase, lexicon.clause_breaks, attr),
                    }
                )
    for pattern in _AGE_PATTERNS:
        patterns.append({"label": AGE_LABEL, "id": "age", "pattern": pattern})
    # A SpanRuler rather than an EntityRuler: it keeps overlapping mentions of
    # different symptoms ("ache and it hurts when I move" names two).
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": SPANS_KEY, "spans_filter": None})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    nlp.meta["name"] = "en_mfr"
    nlp.meta["description"] = "Tokenizer, lookup lemmas and symptom/risk-factor rules"
    return nlp


def _clause_before(span: Span, breaks: Iterable[str]) -> List[str]:
    """Lemmas of the clause that leads up to ``span``."""
    breaks = set(breaks)
    lemmas: List[str] = []
    for token in reversed(span.doc[: span.start]):
        if token.is_punct or token.lemma_ in breaks:
            break
        lemmas.insert(0, token.lemma_)
    return lemmas


_NUMBER = re.compile(r"\d{1,3}")


def _age(span: Span) -> Optional[int]:
    for token in span:
        if token.like_num and (m := _NUMBER.fullmatch(token.text)):
            return int(m.group(0))
    return None


def find_mentions(doc: Doc, lexicon: Lexicon) -> List[Mention]:
    """Every symptom and risk-factor mention in ``doc``, with its negation status."""
    mentions: List[Mention] = []
    for ent in sorted(doc.spans.get(SPANS_KEY, []), key=lambda sp: (sp.start, -len(sp))):
        if ent.label_ == AGE_LABEL:
            age = _age(ent)
            if age is None or age < lexicon.older_adult_age:
                continue
            entity, value = RISK_FACTOR, FRAIL_OLDER_ADULT
        elif ent.label_ in _ENTITY_OF_LABEL:
            entity, value = _ENTITY_OF_LABEL[ent.label_], ent.id_
        else:
            continue
        if any(m.value == value and m.start <= ent.start_char < m.end for m in mentions):
            continue  # a shorter variant of a match already taken
        window = _clause_before(ent, lexicon.clause_breaks)[-lexicon.window :]
        # "not" inside a match ("can't turn my head") is part of the symptom.
        negated = any(lemma in lexicon.negation_cues for lemma in window)
        hypothetical = any(lemma in lexicon.effect_cues for lemma in window)
        mentions.append(
            Mention(entity, value, ent.start_char, ent.end_char, ent.text, negated, hypothetical)
        )
    return mentions


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The project's lexicon, loaded once per process."""
    return Lexicon.load()


def analyse(text: str, nlp: Language, lexicon: Optional[Lexicon] = None) -> List[Mention]:
    """Mentions in ``text``; lower-cases first, as Rasa's SpacyNLP does here."""
    return find_mentions(nlp(text.lower()), lexicon or default_lexicon())


def affirmed_ids(mentions: Iterable[Mention], entity: str) -> List[str]:
    """The canonical ids the message affirms for one entity type, in order."""
    seen: List[str] = []
    for m in mentions:
        if m.entity == entity and m.affirmed and m.value not in seen:
            seen.append(m.value)
    return seen
