"""What the assistant does about a message's possible emergency (pure, no Rasa).

Two independent detectors, either one enough for the emergency reply: the
red-flag rules (mfr/red_flags.py) and the learned detector
(mfr/emergency_detector.py). The intent classifier's own confident
`emergency` guess is a third, weaker voice. A message that no detector calls
an emergency but whose learned score lies between the screen and emergency
thresholds gets one screening question first (the grey zone).

The decision names the kind of emergency (detection/emergencies.yml) for the
reply's wording and records which detector fired, on what, with what score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from mfr.data_files import read_yaml
from mfr.red_flags import RedFlagMatch, normalise
from mfr.settings import PATHS

KINDS_PATH = PATHS.emergencies

EMERGENCY = "emergency"
SCREEN = "screen"
NONE = "none"
UNKNOWN_KIND = "unknown"
RULES = "rules"
LEARNED = "learned"
CLASSIFIER = "intent classifier"
# Below this the kind model's guess is not trusted for the reply's wording.
KIND_CONFIDENCE = 0.5
# A self-harm guess this likely is enough for the crisis reply: it also gives
# the emergency number, so erring towards it costs little.
SELF_HARM_CONFIDENCE = 0.3
SELF_HARM = "self_harm"
# The intent classifier's confidence in out_of_scope above which a message
# about nobody is not screened even when the kind model reads self-harm (it
# reads the weather forecast so: "what's ... going to be like"). On the
# emergency tables the classifier gave no self-harm message more than 0.62
# for out_of_scope.
SURE_OUT_OF_SCOPE = 0.8
# The low end of the learned detector's screen band: a score under
# LOW_SCREEN_SCORE with no rule behind it is not screened when the intent
# classifier is at least SURE_OTHER_INTENT sure of one ordinary intent and the
# kind model does not read self-harm. On the intent tables (5,011 questions,
# 2026-12-06) the band alone screened 39 ordinary messages ("am i talking to ai
# rn", "it's in my lower back on the right side", "im 34 btw"), 28 of them
# under 0.3; on the validation emergency table (red_flags_seen_6.yml, which the
# detector does not learn from) no emergency depended on the band alone.
# Raised to 0.5 on 2026-12-06 and set back to 0.3 the same day: on the 29
# registered intent tables (12,033 questions) the band alone, with the
# classifier at least 0.9 sure, held 16 questions between 0.3 and 0.5, and no
# emergency of the 42 emergency tables then sat in the band without a rule;
# but the next fresh table (45) had one: "My son's fit has been going for over
# six minutes ... His rescue medicine is at school" scored 0.47 with the
# classifier 0.97 sure of an ordinary intent, and got an ordinary answer. The
# band is the net under the rules' misses, and that cost is not worth 0.4
# points of intent accuracy. `python -m evaluation.screen_band` lists both.
LOW_SCREEN_SCORE = 0.3
SURE_OTHER_INTENT = 0.9
# The same holds when the kind model reads self-harm, except for farewells and
# thanks, which is how a goodbye note reads too ("I think I have what I need,
# goodbye" is still asked). On every table (2026-12-06: 22 emergency tables,
# the intent tables, heldout_nlu.yml) the low band with a self-harm reading and
# no rule held no emergency, and these ordinary messages: "im 32, pretty
# active", "im 34 n pretty active", "can i do mfr on myself w a foam roller",
# "wat even is a trigger point" (the classifier at 0.99 to 1.0).
FAREWELL_INTENTS = ("goodbye", "thanks")


@dataclass(frozen=True)
class Kinds:
    """The kinds of emergency, in priority order, with their plain words and reply."""

    order: Tuple[str, ...]
    words: Dict[str, str]
    reply: Dict[str, str]
    default_words: str
    personal: Tuple[re.Pattern[str], ...]
    people: Optional[re.Pattern[str]] = None
    bodies: Optional[re.Pattern[str]] = None

    @classmethod
    def load(cls, path: Path = KINDS_PATH) -> "Kinds":
        """Reads detection/emergencies.yml."""
        spec = read_yaml(path)
        kinds = spec["kinds"]
        personal = tuple(re.compile(rf"\b(?:{p})\b") for p in spec.get("personal_cues", []))
        people = _any_word([*spec.get("personal_cues", []), *spec.get("person_cues", [])])
        return cls(tuple(kinds), {k: v["words"] for k, v in kinds.items()},
                   {k: v["reply"] for k, v in kinds.items()}, spec["default_words"], personal, people,
                   _any_word(spec.get("body_cues", [])))

    def first(self, candidates: Sequence[str]) -> str:
        """The highest-priority kind among ``candidates``."""
        known = [k for k in candidates if k in self.words]
        return min(known, key=self.order.index) if known else UNKNOWN_KIND

    def words_for(self, kind: str) -> str:
        """What was recognised, in plain words."""
        return self.words.get(kind, self.default_words)

    def is_personal(self, text: str) -> bool:
        """Whether the message speaks of the writer or of someone with them."""
        norm = normalise(text)
        return any(p.search(norm) for p in self.personal)

    def names_a_person(self, text: str) -> bool:
        """Whether the message names anyone at all: the writer, someone with them or a bystander."""
        return self._names_a_person(normalise(text))

    def mentions_a_body(self, text: str) -> bool:
        """Whether the message names a part of a body, as a writer who drops the pronoun does."""
        return self._mentions_a_body(normalise(text))

    def names_nobody(self, text: str) -> bool:
        """Neither a person nor a part of a body: the words half of the screen band's "about nobody"."""
        norm = normalise(text)  # once for both searches: this runs on every message in the screen band
        return not self._names_a_person(norm) and not self._mentions_a_body(norm)

    def _names_a_person(self, norm: str) -> bool:
        return self.people is None or bool(self.people.search(norm))

    def _mentions_a_body(self, norm: str) -> bool:
        return self.bodies is not None and bool(self.bodies.search(norm))


def _any_word(words: Sequence[str]) -> Optional[re.Pattern[str]]:
    """One pattern for any of ``words`` as whole words; None when there are none."""
    return re.compile(rf"\b(?:{'|'.join(words)})\b") if words else None


@lru_cache(maxsize=1)
def default_kinds() -> Kinds:
    """The project's kinds, loaded once per process."""
    return Kinds.load()


@dataclass(frozen=True)
class Detection:
    """The decision about one message, and why."""

    decision: str
    kind: str
    words: str
    fired: Tuple[str, ...]
    rules: Tuple[Dict[str, Any], ...] = ()
    score: Optional[float] = None
    model_kind: Optional[str] = None
    model_kind_score: Optional[float] = None
    thresholds: Optional[Dict[str, float]] = None
    classifier_confidence: Optional[float] = None
    reports_symptom: bool = False
    notes: Tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> Dict[str, Any]:
        """The parse-data form (JSON types only)."""
        out: Dict[str, Any] = {
            "decision": self.decision,
            "kind": self.kind,
            "fired": list(self.fired),
            "rules": [dict(r) for r in self.rules],
            "reports_symptom": self.reports_symptom,
        }
        if self.notes:
            out["notes"] = list(self.notes)
        if self.score is not None:
            out["learned"] = {
                "score": round(self.score, 4),
                "kind": self.model_kind,
                "kind_score": None if self.model_kind_score is None else round(self.model_kind_score, 4),
                "thresholds": self.thresholds,
            }
        if self.classifier_confidence is not None:
            out["classifier_confidence"] = round(self.classifier_confidence, 4)
        return out


def decide(
    matches: Sequence[RedFlagMatch],
    score: Optional[float],
    thresholds: Optional[Tuple[float, float]],
    model_kind: Optional[Tuple[str, float]] = None,
    classifier_emergency: Optional[float] = None,
    reports_symptom: bool = False,
    kinds: Optional[Kinds] = None,
    denied: Sequence[str] = (),
    ordinary_cause: Sequence[str] = (),
    about_nobody: bool = False,
    out_of_scope: float = 0.0,
    other_intent: float = 0.0,
    other_intent_name: str = "",
) -> Detection:
    """Combines the detectors' findings into one decision.

    ``matches`` are the red-flag rules' matches; ``score`` the learned
    detector's probability with its (emergency, screen) ``thresholds``;
    ``model_kind`` its kind guess; ``classifier_emergency`` the intent
    classifier's confidence in `emergency` when it passed its own checks;
    ``denied`` the flags the rules found mentioned but negated, past,
    hypothetical or not about a real person; ``ordinary_cause`` the words of
    an ordinary cause the rules found ("after my spin class"); ``about_nobody``
    that the message names no person and mentions no symptom or risk factor;
    ``out_of_scope`` the intent classifier's confidence that it is out of scope;
    ``other_intent`` its confidence in its top intent when that is not
    `emergency` (0 when it is), ``other_intent_name`` that intent.

    Either detector alone gives the emergency reply, with these exceptions that
    ask the screen question instead, so that the person decides: only the
    learned detector fires and the rules read a red flag in the same message
    as denied ("I didn't black out, haven't been sick") or find an ordinary
    cause ("after my spin class I thought I was going to die") and its kind model
    does not read self-harm; or the rules matched
    nothing but the bare name of a condition ("seizure", "sepsis") and the
    learned detector scores the message below its screen threshold (on the
    blind tables such messages were questions, histories and talk about other
    people). The intent classifier alone never gives the reply, only the
    screen: on the tables it added false alarms and no emergency the two
    detectors missed. The learned detector's screen band alone does not ask
    about a message ``about_nobody`` unless its kind model reads self-harm
    (whose messages often name nobody) and the intent classifier is not sure
    that it is out of scope: on the intent tables the band caught
    questions about the weather and the traffic, and on the emergency tables
    every emergency that names nobody got the reply from the rules or a score
    over the emergency threshold, none only the screen. Nor does the low end of
    the band (under LOW_SCREEN_SCORE) ask about a message the intent classifier
    is sure is an ordinary question or statement, unless it is a farewell or
    thanks that the kind model reads as self-harm.
    """
    kinds = kinds or default_kinds()
    fired: List[str] = []
    notes: List[str] = []
    dismissed = score is not None and thresholds is not None and score < thresholds[1]
    if matches and all(m.name_only for m in matches) and dismissed:
        notes.append(f"the rules matched only the name of a condition ({', '.join(m.flag for m in matches)}) "
                     "and the learned detector scores it below its screen threshold")
        name_only, matches = list(matches), []
    else:
        name_only = []
    if matches:
        fired.append(RULES)
    learned_fires = score is not None and thresholds is not None and score >= thresholds[0]
    if learned_fires and not matches and denied:
        notes.append(f"learned detector over its threshold, but the rules read {', '.join(denied)} as denied")
        learned_fires = False
    guess, guess_score = model_kind if model_kind else (None, None)
    self_harm_guess = guess == SELF_HARM and (guess_score or 0) >= SELF_HARM_CONFIDENCE
    # An everyday cause explains a sensation, not a plan: "I've worked out which side has no fence" (emergency
    # table 38) is no gym visit, so a message the kind model reads as self-harm keeps the reply.
    if learned_fires and not matches and ordinary_cause and not self_harm_guess:
        notes.append(f"learned detector over its threshold, but the message names an ordinary cause "
                     f"({', '.join(ordinary_cause)})")
        learned_fires = False
    if learned_fires:
        fired.append(LEARNED)
    in_band = score is not None and thresholds is not None and score >= thresholds[1]
    below_reply = score is not None and thresholds is not None and score < thresholds[0]
    if (in_band and below_reply and not fired and about_nobody
            and (not self_harm_guess or out_of_scope >= SURE_OUT_OF_SCOPE)):
        notes.append("learned detector's screen band, but the message names no person, no body and no symptom")
        in_band = False
    if (in_band and not fired and score is not None and score < LOW_SCREEN_SCORE
            and other_intent >= SURE_OTHER_INTENT
            and not (self_harm_guess and other_intent_name in ("", *FAREWELL_INTENTS))):
        notes.append(f"low in the learned detector's screen band, and the intent classifier is sure "
                     f"of an ordinary intent ({other_intent:.2f})")
        in_band = False
    if classifier_emergency is not None:
        notes.append(f"intent classifier said emergency ({classifier_emergency:.2f})")
    rule_info = tuple({"flag": m.flag, "matched": list(m.matched), "name_only": m.name_only}
                      for m in [*matches, *name_only])
    if fired:
        decision = EMERGENCY
        kind = kinds.first([m.flag for m in matches])
        if self_harm_guess and not matches:
            kind = SELF_HARM
        elif kind == UNKNOWN_KIND and guess and (guess_score or 0) >= KIND_CONFIDENCE:
            kind = guess
    elif in_band or classifier_emergency is not None or name_only:
        decision, kind = SCREEN, UNKNOWN_KIND
    else:
        decision, kind = NONE, UNKNOWN_KIND
    return Detection(
        decision=decision,
        kind=kind,
        words=kinds.words_for(kind),
        fired=tuple(fired),
        rules=rule_info,
        score=score,
        model_kind=guess,
        model_kind_score=guess_score,
        thresholds=None if thresholds is None else {"emergency": thresholds[0], "screen": thresholds[1]},
        classifier_confidence=classifier_emergency,
        reports_symptom=reports_symptom or decision == SCREEN,
        notes=tuple(notes),
    )


def crisis(kind: str, kinds: Optional[Kinds] = None) -> bool:
    """Whether the kind's reply starts with a crisis line."""
    return (kinds or default_kinds()).reply.get(kind) == "crisis"
