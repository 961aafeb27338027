"""Held-out evaluation: test data loading and metrics (pure, no Rasa here).

The test sentences in tests/data/ were written apart from the training data and
must never be copied into data/. CLINC150 validation queries add real
out-of-scope text; training only ever sees the CLINC train split.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from evaluation.clinc import read_split, sample
from mfr.data_files import read_yaml
from mfr.settings import PATHS

TEST_DATA = PATHS.test_data

TOPIC_INTENTS = (
    "what_is_mfr",
    "what_is_mps",
    "trigger_points",
    "how_it_works",
    "at_home",
    "who_benefits",
    "symptoms",
    "treatments",
    "risks",
    "evidence",
    "back_pain",
    "see_doctor",
)
# Questions answered from the article (the screen and the safety net should rarely touch them).
ARTICLE_INTENTS = (*TOPIC_INTENTS, "not_covered")
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
EMERGENCY = "emergency"
CLINC_VAL_PER_INTENT = 2
# Blind intent tables after their first use (each file's header gives its first-use figures).
BLIND_INTENT_TABLES = (
    "blind_intents.yml", "blind_intents_b.yml", "blind_intents_c.yml", "blind_intents_d.yml", "blind_intents_f.yml",
    "blind_intents_g.yml", "blind_intents_h.yml", "blind_intents_i.yml", "blind_intents_j.yml",
    "blind_intents_k.yml", "blind_intents_l.yml", "blind_intents_m.yml", "blind_intents_n.yml",
    "blind_intents_o.yml", "blind_intents_p.yml", "blind_intents_q.yml", "blind_intents_r.yml",
    "blind_intents_s.yml", "blind_intents_t.yml", "blind_intents_u.yml", "blind_intents_v.yml",
    "blind_intents_w.yml", "blind_intents_x.yml", "blind_intents_y.yml", "blind_intents_z.yml",
    "blind_intents_aa.yml", "blind_intents_ab.yml", "blind_intents_ac.yml", "blind_intents_ad.yml",
    "blind_intents_ae.yml", "blind_intents_af.yml", "blind_intents_ag.yml", "blind_intents_ah.yml",
    "blind_intents_ai.yml", "blind_intents_aj.yml", "blind_intents_ak.yml", "blind_intents_al.yml",
    "blind_intents_am.yml", "blind_intents_an.yml", "blind_intents_ao.yml", "blind_intents_ap.yml",
    "blind_intents_aq.yml", "blind_intents_ar.yml", "blind_intents_as.yml",
    "blind_intents_at.yml", "blind_intents_au.yml", "blind_intents_av.yml",
    "blind_intents_aw.yml", "blind_intents_ax.yml", "blind_intents_ay.yml", "blind_intents_az.yml",
    "blind_intents_ba.yml", "blind_intents_bb.yml", "blind_intents_bc.yml",
)


def _load(name: str) -> Dict[str, Any]:
    return read_yaml(TEST_DATA / name)


@dataclass(frozen=True)
class NluCase:
    """One held-out sentence and its expected intent."""

    text: str
    intent: str
    style: str
    source: str = "own"


def table_cases(path: Path) -> List[NluCase]:
    """The sentences of an intent table (``examples: [{text, intent, style}]``)."""
    return [NluCase(e["text"], e["intent"], e.get("style", "web")) for e in read_yaml(path)["examples"]]


def nlu_cases(include_clinc: bool = True) -> List[NluCase]:
    """The held-out NLU sentences, plus CLINC150 validation queries."""
    cases = table_cases(TEST_DATA / "heldout_nlu.yml")
    if include_clinc:
        cases += clinc_cases()
    return cases


def clinc_cases(per_intent: int = CLINC_VAL_PER_INTENT) -> List[NluCase]:
    """CLINC150 validation queries labelled for this assistant."""
    grouped = sample(read_split("val.tsv"), per_intent, seed=7)
    grouped.setdefault(OUT_OF_SCOPE, []).extend(
        sample(read_split("oos_val.tsv"), 40, seed=8).get(OUT_OF_SCOPE, [])
    )
    return [
        NluCase(text, intent, "web", "clinc150")
        for intent, texts in sorted(grouped.items())
        for text in texts
    ]


# slots.yml was looked at while the slot rules were tuned; blind_slots.yml was
# written later, by someone who never saw the rules. The emergency tables are
# listed in evaluation/emergency.py.
SLOT_TABLES = ("slots.yml", "blind_slots.yml")


def slot_cases(name: str = "slots.yml") -> List[Dict[str, Any]]:
    """One slot-extraction test table."""
    return list(_load(name)["cases"])


def conversations() -> List[Dict[str, Any]]:
    """The held-out multi-turn conversations."""
    return list(_load("conversations.yml")["conversations"])


# ---------------------------------------------------------------- metrics


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 with their counts."""

    precision: float
    recall: float
    f1: float
    support: int

    @classmethod
    def from_counts(cls, tp: int, fp: int, fn: int) -> "PRF":
        """Computes the scores; empty denominators count as 0."""
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return cls(p, r, f, tp + fn)


def intent_report(gold: Sequence[str], predicted: Sequence[str]) -> Dict[str, Any]:
    """Accuracy, macro F1 and per-intent scores."""
    labels = sorted(set(gold))
    per: Dict[str, PRF] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=False) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=False) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=False) if g == label and p != label)
        per[label] = PRF.from_counts(tp, fp, fn)
    correct = sum(1 for g, p in zip(gold, predicted, strict=False) if g == p)
    return {
        "n": len(gold),
        "accuracy": correct / len(gold) if gold else 0.0,
        "macro_f1": sum(s.f1 for s in per.values()) / len(per) if per else 0.0,
        "per_intent": per,
        "confusions": Counter((g, p) for g, p in zip(gold, predicted, strict=False) if g != p),
    }


def accuracy_by(
    cases: Sequence[NluCase], predicted: Sequence[str], key: Callable[[NluCase], str]
) -> Dict[str, Tuple[float, int]]:
    """Accuracy per group of cases (style, source)."""
    groups: Dict[str, List[bool]] = defaultdict(list)
    for case, pred in zip(cases, predicted, strict=False):
        groups[key(case)].append(case.intent == pred)
    return {k: (sum(v) / len(v), len(v)) for k, v in sorted(groups.items())}


def slot_report(
    cases: Sequence[Dict[str, Any]], predicted: Sequence[Dict[str, Set[str]]]
) -> Dict[str, Any]:
    """Micro precision/recall/F1 per slot, overall and on negation cases."""
    out: Dict[str, Any] = {}
    for subset_name, keep in (("all", lambda c: True), ("negation", lambda c: c.get("negation"))):
        for slot in ("symptoms", "risk_factors", "both"):
            tp = fp = fn = 0
            for case, pred in zip(cases, predicted, strict=False):
                if not keep(case):
                    continue
                for s in ("symptoms", "risk_factors") if slot == "both" else (slot,):
                    gold = set(case.get(s) or [])
                    got = pred.get(s, set())
                    tp += len(gold & got)
                    fp += len(got - gold)
                    fn += len(gold - got)
            out[f"{subset_name}.{slot}"] = PRF.from_counts(tp, fp, fn)
    errors = [
        {"text": c["text"], "expected": {s: sorted(c.get(s) or []) for s in ("symptoms", "risk_factors")},
         "got": {s: sorted(p.get(s, set())) for s in ("symptoms", "risk_factors")}}
        for c, p in zip(cases, predicted, strict=False)
        if any(set(c.get(s) or []) != p.get(s, set()) for s in ("symptoms", "risk_factors"))
    ]
    out["errors"] = errors
    # Negated cases that wrongly filled something.
    out["negation_cases"] = sum(1 for c in cases if c.get("negation"))
    out["negation_false_fills"] = sum(
        1 for c, p in zip(cases, predicted, strict=False)
        if c.get("negation") and any(p.get(s, set()) - set(c.get(s) or []) for s in ("symptoms", "risk_factors"))
    )
    return out


def scope_report(cases: Sequence[NluCase], predicted: Sequence[str]) -> Dict[str, Any]:
    """Out-of-scope rejection, and in-scope questions wrongly rejected."""
    oos = [(c, p) for c, p in zip(cases, predicted, strict=False) if c.intent == OUT_OF_SCOPE]
    in_scope = [(c, p) for c, p in zip(cases, predicted, strict=False) if c.intent in TOPIC_INTENTS]
    rejected = [c for c, p in oos if p == OUT_OF_SCOPE]
    answered_as_topic = [c.text for c, p in oos if p in TOPIC_INTENTS]
    wrongly_rejected = [c.text for c, p in in_scope if p == OUT_OF_SCOPE]
    article_answers = set(TOPIC_INTENTS) | {"not_covered"}
    return {
        "oos_n": len(oos),
        "oos_rejection": len(rejected) / len(oos) if oos else 0.0,
        # The user-facing question: did an off-topic query get an article answer?
        "oos_no_article_answer": sum(1 for _, p in oos if p not in article_answers) / len(oos) if oos else 0.0,
        "oos_sent_to_did_you_mean": sum(1 for _, p in oos if p == FALLBACK),
        "oos_answered_as_topic": answered_as_topic,
        "in_scope_n": len(in_scope),
        "in_scope_wrongly_rejected": wrongly_rejected,
        "in_scope_kept": 1 - len(wrongly_rejected) / len(in_scope) if in_scope else 1.0,
    }


def entity_sets(entities: Iterable[Dict[str, Any]]) -> Dict[str, Set[str]]:
    """Affirmed slot values from a parse's entities (no role = affirmed)."""
    out: Dict[str, Set[str]] = {"symptoms": set(), "risk_factors": set()}
    slot_of = {"symptom": "symptoms", "risk_factor": "risk_factors"}
    for e in entities:
        slot = slot_of.get(e.get("entity", ""))
        if slot and not e.get("role"):
            out[slot].add(e["value"])
    return out


def fmt(x: Optional[float]) -> str:
    """Three decimals, or a dash."""
    return "-" if x is None else f"{x:.3f}"
