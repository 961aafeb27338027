"""Deterministic red-flag detection over normalised text.

The rules live in ``detection/red_flags.yml``; this module only applies them, so the
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

from mfr.data_files import read_yaml
from mfr.settings import PATHS

RULES_PATH = PATHS.red_flags

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
_SENTENCE_ENDS = ".;!?"
# Clauses are read at most this many characters either side of a mention: the
# cues sit within a few words, and a bounded look keeps a long message linear.
_SCAN_CHARS = 400
# Chat and phone shorthand, spelled out so that one pattern serves both ("n"
# for "and", "w" for "with"), and frequent misspellings of red-flag words.
_WORDS = {
    "n": "and",
    "w": "with",
    "u": "you",
    "r": "are",
    "ur": "your",
    "rn": "right now",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "cos": "because",
    "tho": "though",
    "wk": "week",
    "wks": "weeks",
    "cnt": "cannot",
    "ive": "i ve",
    "hes": "he s",
    "shes": "she s",
    "gonna": "going to",
    "wanna": "want to",
    "breth": "breath",
    "brethe": "breathe",
    "brething": "breathing",
    "breating": "breathing",
    "hedache": "headache",
    "headach": "headache",
    "headake": "headache",
    "temprature": "temperature",
    "temperture": "temperature",
    "tempreture": "temperature",
    "feaver": "fever",
    "fevr": "fever",
    "thru": "through",
    "b4": "before",
    "yday": "yesterday",
    "yest": "yesterday",
    "yr": "year",
    "yrs": "years",
    "sec": "second",
    "rly": "really",
    "throwin": "throwing",
    "realy": "really",
    "mins": "minutes",
    "whats": "what s",
    "wats": "what s",
}
# Speech-to-text slips and phrasings folded into the words the patterns use:
# "chess pain" is "chest pain"; "the back of his head" is "his head".
_PHRASES = [
    (re.compile(r"\bchess (pain|pains|pressure|tightness|hurts|feels)\b"), r"chest \1"),
    (re.compile(r"\bthe (back|side|front|top) of (my|his|her|their|the) head\b"), r"\2 head"),
]
# Laughing emoji read as laughter, so that "I can't breathe 😂" can count as a joke.
_LAUGHS = re.compile("[\U0001F602\U0001F923\U0001F639\U0001F606\U0001F605\U0001F604]")
# Hesitations of spoken messages ("my chest is um really tight").
_FILLERS = {"um", "umm", "ummm", "uh", "uhh", "uhm", "erm", "hmm"}
# `@(` in a pattern marks a part that must itself be un-negated.
_MARK = re.compile(r"@\(")
# `{name}` in a pattern stands for the word list `name` of the rules file's `words` (letters and underscores only, so
# that a quantifier such as `{0,4}` is left alone).
_WORD_LIST = re.compile(r"\{([a-z_]+)\}")
_NO_ANSWERS = {"no", "nope", "nah", "not", "never", "none"}
# A new subject after a negation starts a new clause, even without a comma:
# "if it doesn't I'm going to end my life" is not a negated mention.
_SUBJECTS = {"i", "he", "she", "we", "they", "you"}


def _without_repeated_phrases(words: List[str]) -> List[str]:
    """A spoken restart says a phrase once: "she's not she's not answering" -> "she is not answering".

    Without this the first "not" reads as a denial of "not answering" (blind table 21, round 18).
    Only phrases of two to four words, all letters, said twice in a row.
    """
    out: List[str] = []
    for word in words:
        out.append(word)
        for n in (2, 3, 4):
            if len(out) >= 2 * n and out[-n:] == out[-2 * n : -n] and all(w.isalpha() for w in out[-n:]):
                del out[-n:]
                break
    return out


def normalise(text: str) -> str:
    """Lower-cases and simplifies ``text`` so that the patterns stay readable."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _LAUGHS.sub(" haha ", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = _BARE_NEGATIONS.sub(r"\1 not", text)
    text = re.sub(r"(?<=\w)-(?=\w)", " ", text)
    text = text.replace("&", " and ")
    # Keep clause punctuation as separate tokens; drop other symbols.
    text = re.sub(rf"([{re.escape(_PUNCT_KEEP)}])", r" \1 ", text)
    text = re.sub(rf"[^\w\s{re.escape(_PUNCT_KEEP)}]", " ", text)
    tokens = text.split()
    words: List[str] = []
    for i, word in enumerate(tokens):
        # A spoken stutter ("my my mum", "a a fit") says the word once.
        if words and word == words[-1] and word.isalpha():
            continue
        if word in _FILLERS:
            # A hesitation between commas is a pause, not a clause break: "my chest is, um, tight".
            if words and words[-1] == "," and tokens[i + 1 : i + 2] == [","]:
                words.pop()
            continue
        if word == "," and (not words or words[-1] in _PUNCT_KEEP or tokens[i - 1] in _FILLERS):
            continue
        words.append(_WORDS.get(word, word))
    text = " ".join(_without_repeated_phrases(words))
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class RedFlagMatch:
    """One red flag found in a message."""

    flag: str
    description: str
    matched: Tuple[str, ...]
    # Matched only by the bare name of a condition ("seizure", "sepsis"): on its
    # own weaker evidence, as questions and histories name conditions too.
    name_only: bool = False


@dataclass(frozen=True)
class _Flag:
    name: str
    description: str
    # Alternatives, each a tuple of groups that must all match (a group
    # matches when any of its patterns does).
    alternatives: Tuple[Tuple[Tuple[re.Pattern[str], ...], ...], ...]
    # Whether a hypothetical or long-past mention is ignored.
    contextual: bool = True
    # The bare names of the condition, tried after the alternatives.
    names: Tuple[re.Pattern[str], ...] = ()


class RedFlagRules:
    """The compiled rule set of ``detection/red_flags.yml``."""

    def __init__(self, spec: Dict[str, Any]) -> None:
        self.window = int(spec.get("negation_window", 4))
        self.cues = [normalise(c).split() for c in spec["negation_cues"]]
        self.symptom_negations = [normalise(c).split() for c in spec.get("symptom_negations", [])]
        # A symptom's own "not" or "never" may run on into the mention this many words.
        self.longest_symptom_negation = max((len(p) for p in self.symptom_negations), default=0)
        self.breaks = [normalise(b).split() for b in spec["clause_breaks"]]
        self.benign = [re.compile(rf"\b{re.escape(normalise(b))}\b") for b in spec.get("benign_context", [])]
        self.ordinary = [re.compile(rf"\b{re.escape(normalise(b))}\b") for b in spec.get("ordinary_causes", [])]
        self.hypothetical_window = int(spec.get("hypothetical_window", 8))
        # Lists that several patterns share, written once (`{name}` in a pattern).
        self.words = {name: "(?:" + "|".join(alts) + ")" for name, alts in spec.get("words", {}).items()}

        def cues(key: str) -> List[re.Pattern[str]]:
            return [self._compile(p) for p in spec.get(key, [])]

        self.hypothetical = cues("hypothetical_cues")
        self.past = cues("past_cues")
        self.present = cues("present_cues")
        self.weak_present = cues("weak_present_cues")
        self.chronic = cues("chronic_cues")
        self.chronic_after = cues("chronic_after_cues")
        self.question = cues("question_cues")
        self.sentence_hypothetical = cues("sentence_hypothetical_cues")
        self.joke = cues("joke_cues")
        self.not_joke = cues("not_joke_cues")
        self.recent_past = cues("recent_past_cues")
        self.resolved = cues("resolved_cues")
        self.worse_now = cues("worse_now_cues")
        self.meta = cues("meta_cues")
        self.unreal = cues("unreal_cues")
        self.explained = cues("explained_cues")
        exempt = set(spec.get("always_current", []))
        flags = []
        for name, rule in spec["flags"].items():
            # Each alternative is a list of groups that must all match.
            alternatives: List[Tuple[Tuple[re.Pattern[str], ...], ...]] = [
                ((self._compile(p),),) for p in rule.get("any_of") or []]
            if "all_of" in rule:
                alternatives.append(tuple(tuple(self._compile(p) for p in g) for g in rule["all_of"]))
            names = tuple(self._compile(p) for p in rule.get("names") or [])
            flags.append(_Flag(name, rule["description"], tuple(alternatives), name not in exempt, names))
        self.flags: Tuple[_Flag, ...] = tuple(flags)

    def _compile(self, pattern: str) -> re.Pattern[str]:
        def word_list(m: re.Match[str]) -> str:
            if m.group(1) not in self.words:
                raise KeyError(f"red-flag pattern names an unknown word list {m.group(0)}: {pattern}")
            return self.words[m.group(1)]

        pattern = _WORD_LIST.sub(word_list, pattern)
        marks = iter(range(1, pattern.count("@(") + 1))
        pattern = _MARK.sub(lambda _: f"(?P<_m{next(marks)}>", pattern)
        return re.compile(rf"\b(?:{pattern})\b")

    @classmethod
    def from_file(cls, path: Path = RULES_PATH) -> "RedFlagRules":
        """Loads and compiles the rules file."""
        return cls(read_yaml(path))

    def _clause_before(self, text: str, start: int, breaks: Sequence[List[str]]) -> List[str]:
        """The words between the last punctuation or clause break and ``start``."""
        lo = max(0, start - _SCAN_CHARS)
        # Past the bound the first word may be cut in two: leave it out.
        before = text[lo:start].split()[1 if lo else 0 :]
        clause: List[str] = []
        for word in reversed(before):
            if word in _PUNCT_KEEP:
                break
            clause.insert(0, word)
            brk = next((b for b in breaks if clause[: len(b)] == b), None)
            if brk is not None:
                return clause[len(brk) :]
        return clause

    def _clause_after(self, text: str, end: int) -> List[str]:
        """The words from ``end`` to the next punctuation or clause break."""
        hi = end + _SCAN_CHARS
        words = text[end:hi].split()
        if hi < len(text):
            words = words[:-1]
        for i, word in enumerate(words):
            if word in _PUNCT_KEEP or any(words[i : i + len(b)] == b for b in self.breaks):
                return words[:i]
        return words

    def _negated(self, text: str, start: int) -> bool:
        """Whether a negation cue stands in the clause just before ``start``."""
        clause = self._clause_before(text, start, self.breaks)
        window = clause[-self.window :] if self.window else []
        # "will not stop", "not making sense": the "not" is the symptom and denies nothing after it. Found in the
        # whole clause, as the phrase may begin before the window.
        offset = len(clause) - len(window)
        # The phrase may run on into the mention ("never had a headache like this", round 39).
        # Only those words are split off: this runs for every match, and the rest of the message can be long.
        n = self.longest_symptom_negation
        words = clause + text[start:].split(maxsplit=n)[:n]
        inside = {i + k - offset for i in range(len(clause)) for p in self.symptom_negations
                  if words[i : i + len(p)] == p for k in range(len(p))}
        # A cue followed by a subject denies that subject's clause, not this mention; a mention that opens with a
        # subject ("he's just not ... he's not answering me", round 32) starts its own clause too.
        opening = text[start:].split()[:1]
        for i in range(len(window)):
            if i in inside:
                continue
            for cue in self.cues:
                if window[i : i + len(cue)] == cue and not _SUBJECTS & {*window[i + len(cue) :], *opening}:
                    return True
        return False

    def _not_current(self, text: str, start: int, end: int, contextual: bool = True) -> bool:
        """Whether the mention is asked about, hypothetical, a joke or over.

        A question about signs ("what are the warning signs of ...") counts for
        every flag. A hypothetical ("what if ..."), a joke ("I can't breathe
        haha") or a long-past mention ("years ago") counts for contextual flags
        only; a recent past ("back in March") counts only when the message says
        it is resolved ("recovered well"). For flags that are always current
        (self-harm) a past mention counts only when the message says it is
        resolved ("years ago ... but I'm well now"). Nothing counts when the
        sentence says it is happening now, except for contextual flags a
        sentence that is not about a real person or that names an everyday
        cause ("numb on one side because I had a filling this morning"). A
        turn for the worse later in the message ("he was fine. But now he's
        vomiting and drowsy") outweighs a past, a resolution and an everyday
        cause, not a question or a hypothetical; the worst pain ever or an
        onset in seconds outweighs a joke ("while I was laughing").
        """
        # "if" opens a hypothetical ("what if", "if I ever"), so it must stay in view here.
        before = self._clause_before(text, start, [b for b in self.breaks if b != ["if"]])
        near = " ".join(before[-self.hypothetical_window :])
        clause = " ".join(self._clause_before(text, start, self.breaks)), " ".join(self._clause_after(text, end))
        question = any(p.search(near) for p in self.question)
        # A past cue inside the mention counts too: "knocked out at work last year fell off a ladder" (round 20).
        past = any(p.search(part) for p in self.past for part in (*clause, text[start:end]))
        if contextual and not past:
            past = (any(p.search(part) for p in self.chronic for part in clause)
                    or any(p.match(text[end:].lstrip()) for p in self.chronic_after))
        # And a recent past inside it ("a bad fall in the winter and hit my head ... all clear", round 64): it still
        # needs the message to say it is resolved.
        recent = any(p.search(part) for p in self.recent_past for part in (*clause, text[start:end]))
        lo, hi = max(0, start - _SCAN_CHARS), min(len(text), end + _SCAN_CHARS)
        left = max(lo, *(text.rfind(f" {c} ", lo, start) for c in _SENTENCE_ENDS))
        rights = [i for i in (text.find(f" {c} ", end, hi) for c in _SENTENCE_ENDS) if i >= 0]
        sentence = text[left : min(rights) if rights else hi]
        # A question about the service or about other people's future messages.
        question = question or any(p.search(sentence) for p in self.meta)
        if contextual:
            joke = any(p.search(sentence) for p in self.joke) and not any(p.search(sentence) for p in self.not_joke)
            hypothetical = (any(p.search(near) for p in self.hypothetical)
                            or any(p.search(sentence) for p in self.sentence_hypothetical) or joke)
            candidate = question or hypothetical or past or recent
        else:
            hypothetical = False
            candidate = question or past or recent
        # Not about a real person now, or given an everyday cause: these outweigh "now" and "this morning".
        if contextual and any(p.search(sentence) for p in self.unreal):
            return True
        explaining = [left + m.start() for p in self.explained for m in [p.search(sentence)] if m] if contextual else []
        explained = bool(explaining)
        if not (candidate or explained):
            return False
        # A turn for the worse after the mention starts, in any later sentence, outweighs its past, its resolution
        # and an everyday cause ("after carrying the sofa, but now it's crushing and going down my arm"). Looked
        # for only here, where something could outweigh the mention, because it scans the rest of the message.
        # An everyday cause holds for its whole sentence, so a turn for the worse after the cause counts too, even
        # when it stands before the mention ("after the sofa, but now crushing chest pain", round 63).
        since = min([start, *explaining])
        worse = not (question or hypothetical) and any(p.search(text, since) for p in self.worse_now)
        if explained and not worse:
            return True
        if not candidate or worse:
            return False
        window = text[max(0, start - 2 * _SCAN_CHARS) : end + 2 * _SCAN_CHARS]
        if any(p.search(sentence) for p in self.present):
            return False
        resolved = any(p.search(window) for p in self.resolved)
        if not resolved and any(p.search(sentence) for p in self.weak_present):
            return False
        if question or (contextual and (hypothetical or past)):
            return True
        return resolved

    @staticmethod
    def _answered_no(text: str, end: int) -> bool:
        """Whether the mention is asked and answered "no": "chest pain? no"."""
        after = text[end:].split()[:2]
        return len(after) == 2 and after[0] == "?" and after[1] in _NO_ANSWERS

    def _first_unnegated(
        self, text: str, patterns: Sequence[re.Pattern[str]], contextual: bool = True
    ) -> Optional[str]:
        for pattern in patterns:
            for m in pattern.finditer(text):
                marked = [m.start(g) for g, v in m.groupdict().items() if g.startswith("_m") and v is not None]
                if (
                    self._negated(text, m.start())
                    or self._answered_no(text, m.end())
                    or any(self._negated(text, s) for s in marked)
                    or self._not_current(text, m.start(), m.end(), contextual)
                ):
                    continue
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
                    hit = self._first_unnegated(norm, group, flag.contextual)
                    if hit is None:
                        break
                    matched.append(hit)
                else:
                    found.append(RedFlagMatch(flag.name, flag.description, tuple(matched)))
                    break
            else:
                hit = self._first_unnegated(norm, flag.names, flag.contextual) if flag.names else None
                if hit is not None:
                    found.append(RedFlagMatch(flag.name, flag.description, (hit,), name_only=True))
        return found

    def benign_context(self, text: str) -> List[str]:
        """Words of an ordinary cause in ``text`` ("after the gym")."""
        norm = normalise(text)
        return [p.pattern for p in self.benign if p.search(norm)]

    def ordinary_causes(self, text: str) -> List[str]:
        """Words of an everyday cause in ``text`` that make a learned-only emergency ask first."""
        norm = normalise(text)
        return [p.pattern for p in self.ordinary if p.search(norm)]

    def negated_flags(self, text: str) -> List[str]:
        """Flags that ``text`` mentions only negated ("no chest pain") or as not current."""
        norm = normalise(text)
        affirmed = {m.flag for m in self.detect(text)}
        # Mentioned: some alternative would match if negation and context were ignored.
        return [
            flag.name
            for flag in self.flags
            if flag.name not in affirmed
            and (any(all(any(p.search(norm) for p in group) for group in groups) for groups in flag.alternatives)
                 or any(p.search(norm) for p in flag.names))
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


def ordinary_causes(text: str) -> List[str]:
    """Everyday-cause words in ``text`` that make a learned-only emergency ask the screen first."""
    return default_rules().ordinary_causes(text)


def negated_red_flags(text: str) -> List[str]:
    """Red flags that ``text`` mentions only to deny them."""
    return default_rules().negated_flags(text)
