"""Reports the trained model's quality on the held-out test data.

    .venv/bin/python scripts/evaluate.py [--model models/mfr.tar.gz] [--json reports/quality.json]

Prints intent accuracy (overall, per intent, per style), emergency recall and
false alarms, slot precision/recall/F1 (and the spaCy lemma rules against
two alternatives), and out-of-scope rejection.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, Dict, List

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.medical_entities import Lexicon, affirmed_ids, analyse, build_pipeline
from components.red_flags import detect_red_flags
from evaluation import heldout as H


async def parse_all(model: str, texts: List[str]) -> List[Dict[str, Any]]:
    """Parses every text with the trained model, in one process."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return [await agent.parse_message(t) for t in texts]


def slot_alternatives(cases: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Slot F1 of the lemma rules against exact-form rules and no negation handling."""
    lexicon = Lexicon.load()
    lemma_nlp, exact_nlp = build_pipeline(lexicon), build_pipeline(lexicon, attr="LOWER")
    no_negation = Lexicon({**lexicon.spec, "negation_cues": [], "effect_cues": []})
    variants = {
        "spaCy lemma rules + negation (ours)": lambda t: analyse(t, lemma_nlp, lexicon),
        "exact word forms + negation": lambda t: analyse(t, exact_nlp, lexicon),
        "spaCy lemma rules, no negation": lambda t: analyse(t, lemma_nlp, no_negation),
    }
    out = {}
    for name, fn in variants.items():
        predicted = []
        for case in cases:
            mentions = fn(case["text"])
            predicted.append(
                {"symptoms": set(affirmed_ids(mentions, "symptom")),
                 "risk_factors": set(affirmed_ids(mentions, "risk_factor"))}
            )
        report = H.slot_report(cases, predicted)
        out[name] = {"f1": report["all.both"].f1, "negation_f1": report["negation.both"].f1,
                     "negation_false_fills": report["negation_false_fills"]}
    return out


def evaluate(model: str) -> Dict[str, Any]:
    """Runs every held-out check and returns the figures."""
    nlu = H.nlu_cases()
    flag_tables = {name: H.red_flag_cases(name) for name in H.RED_FLAG_TABLES}
    slot_tables = {name: H.slot_cases(name) for name in H.SLOT_TABLES}
    texts = [c.text for c in nlu]
    for table in [*flag_tables.values(), *slot_tables.values()]:
        texts += [c["text"] for c in table]
    parses = iter(asyncio.run(parse_all(model, texts)))
    nlu_p = [next(parses) for _ in nlu]
    flag_p = {name: [next(parses) for _ in table] for name, table in flag_tables.items()}
    slot_p = {name: [next(parses) for _ in table] for name, table in slot_tables.items()}

    own = [(c, p["intent"]["name"]) for c, p in zip(nlu, nlu_p, strict=False) if c.source == "own"]
    own_cases = [c for c, _ in own]
    own_pred = [p for _, p in own]
    all_pred = [p["intent"]["name"] for p in nlu_p]
    return {
        "intent": H.intent_report([c.intent for c in own_cases], own_pred),
        "intent_by_style": H.accuracy_by(own_cases, own_pred, lambda c: c.style),
        "fallback_rate": sum(1 for p in own_pred if p == H.FALLBACK) / len(own_pred),
        "emergency": {
            name: {
                "model": H.emergency_report(table, [p["intent"]["name"] == H.EMERGENCY for p in flag_p[name]]),
                "rules_only": H.emergency_report(table, [bool(detect_red_flags(c["text"])) for c in table]),
            }
            for name, table in flag_tables.items()
        },
        "emergency_on_nlu_set": sum(
            1 for c, p in zip(nlu, all_pred, strict=False) if p == H.EMERGENCY and c.intent != H.EMERGENCY
        ) / len(nlu),
        "slots": {
            name: H.slot_report(table, [H.entity_sets(p["entities"]) for p in slot_p[name]])
            for name, table in slot_tables.items()
        },
        "slot_alternatives": {name: slot_alternatives(table) for name, table in slot_tables.items()},
        "scope": H.scope_report(nlu, all_pred),
        "clinc_n": sum(1 for c in nlu if c.source == "clinc150"),
    }


def print_summary(r: Dict[str, Any]) -> None:
    """A short human-readable summary."""
    i = r["intent"]
    print(f"\nIntent (held-out, n={i['n']}): accuracy {H.fmt(i['accuracy'])}, macro F1 {H.fmt(i['macro_f1'])}, "
          f"did-you-mean rate {H.fmt(r['fallback_rate'])}")
    for style, (acc, n) in r["intent_by_style"].items():
        print(f"  style {style:<10} accuracy {H.fmt(acc)} (n={n})")
    print("  per intent (P / R / F1 / n):")
    for name, s in sorted(i["per_intent"].items()):
        print(f"    {name:<15} {H.fmt(s.precision)} {H.fmt(s.recall)} {H.fmt(s.f1)} {s.support}")
    print("  most frequent confusions:", i["confusions"].most_common(12))
    for table, variants in r["emergency"].items():
        for variant, e in variants.items():
            print(f"\nEmergency, {table}, {variant}: recall {H.fmt(e['recall'])} on {e['positives']}, "
                  f"false alarms {H.fmt(e['false_alarm_rate'])} on {e['negatives']}")
            for t in e["misses"]:
                print("  MISS:", t)
            for t in e["false_alarms"]:
                print("  FALSE ALARM:", t)
    print(f"  emergency predicted for non-emergency held-out NLU sentences: {H.fmt(r['emergency_on_nlu_set'])}")
    for table, s in r["slots"].items():
        print(f"\nSlots, {table} (P / R / F1):")
        for key in ("all.symptoms", "all.risk_factors", "all.both", "negation.both"):
            v = s[key]
            print(f"  {key:<20} {H.fmt(v.precision)} {H.fmt(v.recall)} {H.fmt(v.f1)}")
        print(f"  negation cases wrongly filling a slot: {s['negation_false_fills']} of {s['negation_cases']}")
        for err in s["errors"]:
            print("  SLOT ERROR:", err["text"], "expected", err["expected"], "got", err["got"])
        print("  alternatives (F1 all / F1 negation cases / negation false fills):")
        for name, v in r["slot_alternatives"][table].items():
            print(f"    {name:<40} {H.fmt(v['f1'])} {H.fmt(v['negation_f1'])} {v['negation_false_fills']}")
    sc = r["scope"]
    print(f"\nOut of scope (n={sc['oos_n']}, incl. {r['clinc_n']} CLINC150 validation): "
          f"rejection {H.fmt(sc['oos_rejection'])}, "
          f"sent to did-you-mean {sc['oos_sent_to_did_you_mean']}; in-scope kept {H.fmt(sc['in_scope_kept'])} "
          f"(n={sc['in_scope_n']})")
    for t in sc["oos_answered_as_topic"]:
        print("  OOS ANSWERED AS TOPIC:", t)
    for t in sc["in_scope_wrongly_rejected"]:
        print("  IN-SCOPE REJECTED:", t)


def to_jsonable(x: Any) -> Any:
    """Dataclasses and counters as plain JSON."""
    if hasattr(x, "__dataclass_fields__"):
        return asdict(x)
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    return x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models/mfr.tar.gz")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    report = evaluate(args.model)
    print_summary(report)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(to_jsonable(report), indent=2))


if __name__ == "__main__":
    main()
