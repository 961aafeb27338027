"""Deterministic red-flag detection over normalised text.

The rules live in ``nlu/red_flags.yml``; this module only applies them, so the
same function serves the Rasa NLU component, the tests and the benchmark.
Every positive result names the flag and the words that matched, which makes
each emergency reply explainable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

RULES_PATH = Path(__file__).resolve().parent.parent / "nlu" / "red_flags.yml"

_CONTRACTIONS = [
    (re.compile(r"\bcan'?t\b"), "cannot"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\bain'?t\b"), "is not"),
    (re.compile(r"\b(\w+)n't\b"), r"\1 not"),
    (re.compile(r"\bi'?m\b"), "i am"),
    (re.compile(r"\b(\w+)'ve\b"), r"\1 ve"),
    (re.compile(r"\b(\w+)'s\b"), r"\1 s"),
]
# "dont", "doesnt", "didnt" typed without an apostrophe.
_BARE_NEGATIONS = re.compile(r"\b(do|does|did|is|are|was|were|have|has|had|could|would|should)nt\b")
_PUNCT_KEEP = ".,;!?"
_NO_ANSWERS = {"no", "nope", "nah", "not", "never", "none"}
# A new subject after a negation starts a new clause, even without a comma:
# "if it doesn't I'm going to end my life" is not a negated mention.
_SUBJECTS = {"i", "he", "she", "we", "they", "you"}


def normalise(text: str) -> str:
    """Lower-cases and simplifies ``text`` so that the patterns stay readable."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = _BARE_NEGATIONS.sub(r"\1 not", text)
    text = re.sub(r"(?<=\w)-(?=\w)", " ", text)
    # Keep clause punctuation as separate tokens; drop other symbols.
    text = re.sub(rf"([{re.escape(_PUNCT_KEEP)}])", r" \1 ", text)
    text = re.sub(rf"[^\w\s{re.escape(_PUNCT_KEEP)}]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class RedFlagMatch:
    """One red flag found in a message."""

    flag: str
    description: str
    matched: Tuple[str, ...]


@dataclass(frozen=True)
class _Flag:
    name: str
    description: str
    # Alternatives, each a tuple of groups that must all match (a group
    # matches when any of its patterns does).
    alternatives: Tuple[Tuple[Tuple[re.Pattern[str], ...], ...], ...]


class RedFlagRules:
    """The compiled rule set of ``nlu/red_flags.yml``."""

    def __init__(self, spec: Dict[str, Any]) -> None:
        self.window = int(spec.get("negation_window", 4))
        self.cues = [normalise(c).split() for c in spec["negation_cues"]]
        self.breaks = [normalise(b).split() for b in spec["clause_breaks"]]
        self.benign = [re.compile(rf"\b{re.escape(normalise(b))}\b") for b in spec.get("benign_context", [])]
        flags = []
        for name, rule in spec["flags"].items():
            # Each alternative is a list of groups that must all match.
            alternatives = [((self._compile(p),),) for p in rule.get("any_of", [])]
            if "all_of" in rule:
                alternatives.append(tuple(tuple(self._compile(p) for p in g) for g in rule["all_of"]))
            flags.append(_Flag(name, rule["description"], tuple(alternatives)))
        self.flags: Tuple[_Flag, ...] = tuple(flags)

    @staticmethod
    def _compile(pattern: str) -> re.Pattern[str]:
        return re.compile(rf"\b(?:{pattern})\b")

    @classmethod
    def from_file(cls, path: Path = RULES_PATH) -> "RedFlagRules":
        """Loads and compiles the rules file."""
        with open(path, encoding="utf-8") as f:
            return cls(yaml.safe_load(f))

    def _negated(self, text: str, start: int) -> bool:
        """Whether a negation cue stands in the clause just before ``start``."""
        before = text[:start].split()
        clause: List[str] = []
        for word in reversed(before):
            if word in _PUNCT_KEEP:
                break
            clause.insert(0, word)
            if any(clause[: len(b)] == b for b in self.breaks):
                clause = clause[len(next(b for b in self.breaks if clause[: len(b)] == b)) :]
                break
        window = clause[-self.window :] if self.window else []
        for i in range(len(window)):
            for cue in self.cues:
                if window[i : i + len(cue)] == cue and not _SUBJECTS & set(window[i + len(cue) :]):
                    return True
        return False

    @staticmethod
    def _answered_no(text: str, end: int) -> bool:
        """Whether the mention is asked and answered "no": "chest pain? no"."""
        after = text[end:].split()[:2]
        return len(after) == 2 and after[0] == "?" and after[1] in _NO_ANSWERS

    def _first_unnegated(
        self, text: str, patterns: Sequence[re.Pattern[str]]
    ) -> Optional[str]:
        for pattern in patterns:
            for m in pattern.finditer(text):
                if not self._negated(text, m.start()) and not self._answered_no(text, m.end()):
                    return m.group(0)
        return None

    def detect(self, text: str) -> List[RedFlagMatch]:
        """Returns every red flag in ``text`` that is not negated."""
        norm = normalise(text)
        found = []
        for flag in self.flags:
            for groups in flag.alternatives:
                matched = []
                for group in groups:
                    hit = self._first_unnegated(norm, group)
                    if hit is None:
                        break
                    matched.append(hit)
                else:
                    found.append(RedFlagMatch(flag.name, flag.description, tuple(matched)))
                    break
        return found

    def benign_context(self, text: str) -> List[str]:
        """Words of an ordinary cause in ``text`` ("after the gym")."""
        norm = normalise(text)
        return [p.pattern for p in self.benign if p.search(norm)]

    def negated_flags(self, text: str) -> List[str]:
        """Flags that ``text`` mentions only negated ("no chest pain")."""
        norm = normalise(text)
        affirmed = {m.flag for m in self.detect(text)}
        return [
            flag.name
            for flag in self.flags
            if flag.name not in affirmed
            and any(p.search(norm) for groups in flag.alternatives for group in groups for p in group)
        ]


@lru_cache(maxsize=1)
def default_rules() -> RedFlagRules:
    """The project's rules, loaded once per process."""
    return RedFlagRules.from_file()


def detect_red_flags(text: str) -> List[RedFlagMatch]:
    """Red flags in ``text`` according to the project's rules."""
    return default_rules().detect(text)


def benign_context(text: str) -> List[str]:
    """Ordinary-cause words in ``text`` that veto a classifier-only emergency."""
    return default_rules().benign_context(text)


def negated_red_flags(text: str) -> List[str]:
    """Red flags that ``text`` mentions only to deny them."""
    return default_rules().negated_flags(text)
