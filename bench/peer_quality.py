"""Held-out quality of any model, through evaluation.quality.evaluate, plus robustness.

``evaluation.quality.evaluate(model)`` loads the model itself and parses every
held-out text. To score the three models with exactly the same code (and to
time each parse), its parser is swapped for the benchmark's ``Predictor`` while
it runs; the smoke run also swaps the held-out loaders for small subsets.
"""

from __future__ import annotations

import random
import re
import string
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional
from unittest import mock

from bench.models import Predictor
from evaluation import emergency as E
from evaluation import heldout as H
from evaluation import quality as Q

# Smoke subsets: every n-th case of each held-out set.
SMOKE_STEP = {"own": 8, "clinc": 20, "flags": 8, "slots": 8, "blind": 20}
# The loaders themselves (evaluate_with swaps the module attributes in smoke runs).
_nlu_cases, _slot_cases, _emergency_tables, _table_cases = H.nlu_cases, H.slot_cases, E.tables, H.table_cases


def smoke_nlu_cases() -> List[H.NluCase]:
    """A few held-out sentences of each kind (own and CLINC150)."""
    cases = _nlu_cases()
    own = [c for c in cases if c.source == "own"][:: SMOKE_STEP["own"]]
    clinc = [c for c in cases if c.source != "own"][:: SMOKE_STEP["clinc"]]
    return own + clinc


def smoke_table_cases(path: Path) -> List[H.NluCase]:
    """Every n-th row of a registered blind intent table; any other table whole (the held-out set is cut above)."""
    cases = _table_cases(path)
    return cases[:: SMOKE_STEP["blind"]] if Path(path).name in H.BLIND_INTENT_TABLES else cases


def evaluate_with(predictor: Predictor, smoke: bool = False, slot_alternatives: bool = True) -> Dict[str, Any]:
    """``evaluation.quality.evaluate`` with ``predictor`` doing the parsing."""
    seen: Dict[str, str] = {}
    first = len(predictor.latencies)

    async def parse_all(_model: str, texts: List[str]) -> List[Dict[str, Any]]:
        parses = await predictor.parse_many(texts)
        seen.update((t, p["intent"]["name"]) for t, p in zip(texts, parses, strict=True))
        return parses

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(Q, "parse_all", parse_all))
        if not slot_alternatives:
            stack.enter_context(mock.patch.object(Q, "slot_alternatives", lambda cases: {}))
        if smoke:
            stack.enter_context(mock.patch.object(H, "nlu_cases", smoke_nlu_cases))
            stack.enter_context(mock.patch.object(
                E, "tables", lambda: {n: rows[:: SMOKE_STEP["flags"]] for n, rows in _emergency_tables().items()}))
            stack.enter_context(mock.patch.object(
                H, "slot_cases", lambda name="slots.yml": _slot_cases(name)[:: SMOKE_STEP["slots"]]))
            # The registered blind intent tables (over 8,000 rows) made most of the smoke run's time.
            stack.enter_context(mock.patch.object(H, "table_cases", smoke_table_cases))
        report = Q.evaluate(predictor.name)
        own = [c for c in H.nlu_cases() if c.source == "own"]
    # Gold and predicted intent of every own held-out sentence (for the confusion matrix).
    report["own_pairs"] = [(c.intent, seen[c.text]) for c in own]
    report["parse_latencies_s"] = predictor.latencies[first:]
    return report


def own_nlu_cases(smoke: bool = False) -> List[H.NluCase]:
    """The project's own held-out sentences (no CLINC150)."""
    cases = smoke_nlu_cases() if smoke else _nlu_cases(include_clinc=False)
    return [c for c in cases if c.source == "own"]


# ------------------------------------------------------------ robustness

_PUNCT = re.compile(f"[{re.escape(string.punctuation)}]")


def typos(text: str, seed: int = 13) -> str:
    """Machine-made typos: about one per 25 characters, each a swap of two letters or a dropped letter."""
    rng = random.Random(f"{seed}:{text}")
    chars = list(text)
    for _ in range(1 + len(text) // 25):
        letters = [i for i, ch in enumerate(chars) if ch.isalpha()]
        if len(letters) < 3:
            break
        i = rng.choice(letters)
        if rng.random() < 0.5 and i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            del chars[i]
    return "".join(chars)


def lower(text: str) -> str:
    """Lower-cased."""
    return text.lower()


def no_punctuation(text: str) -> str:
    """Punctuation dropped (apostrophes too: "what's" -> "whats")."""
    return " ".join(_PUNCT.sub("", text).split())


def all_three(text: str) -> str:
    """Lower-cased, no punctuation, then typos."""
    return typos(no_punctuation(lower(text)))


PERTURBATIONS: Dict[str, Callable[[str], str]] = {
    "original": lambda t: t,
    "typos (seeded swaps/drops)": typos,
    "lower-cased": lower,
    "punctuation dropped": no_punctuation,
    "all three": all_three,
}


def robustness(predictor: Predictor, cases: Optional[List[H.NluCase]] = None, smoke: bool = False) -> Dict[str, Any]:
    """Accuracy on the held-out in-scope questions, unchanged and perturbed."""
    cases = cases if cases is not None else [c for c in own_nlu_cases(smoke) if c.intent in H.TOPIC_INTENTS]
    gold = [c.intent for c in cases]
    out: Dict[str, Any] = {"n": len(cases), "accuracy": {}, "examples": {}}
    for name, fn in PERTURBATIONS.items():
        texts = [fn(c.text) for c in cases]
        predicted = predictor.intents(texts)
        out["accuracy"][name] = H.intent_report(gold, predicted)["accuracy"]
        out["examples"][name] = texts[0] if texts else ""
    base = out["accuracy"]["original"]
    out["drop"] = {k: base - v for k, v in out["accuracy"].items()}
    return out
