"""Reports the trained model's quality on the held-out test data.

    .venv/bin/python scripts/evaluate.py [--model models/mfr.tar.gz] [--json reports/quality.json]

Prints intent accuracy (overall, per intent, per style), emergency recall and
false alarms, slot precision/recall/F1 (and the spaCy lemma rules against
two alternatives), and out-of-scope rejection.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Dict

from evaluation import emergency as E
from evaluation import heldout as H
from evaluation.quality import evaluate


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
    for table, b in r["blind_intent"].items():
        print(f"\nIntent ({table}, a blind table after its first use, n={b['n']}): accuracy "
              f"{H.fmt(b['accuracy'])}, macro F1 {H.fmt(b['macro_f1'])}; " + ", ".join(
                  f"{style} {H.fmt(acc)} (n={n})" for style, (acc, n) in b["by_style"].items())
              + f"; in-scope kept {H.fmt(b['scope']['in_scope_kept'])}")
    for table, variants in r["emergency"].items():
        print()
        for variant, e in variants.items():
            print(f"Emergency, {table}, {variant:<8}: reply {E.pct(e['reply_recall'])} of {e['positives']}, "
                  f"reply or screen {E.pct(e['reply_or_screen_recall'])}; hard negatives: reply "
                  f"{E.pct(e['negative_reply_rate'])}, screen {E.pct(e['negative_screen_rate'])} of {e['negatives']}")
    newest = E.newest_table(r["emergency"])
    variants = r["emergency"][newest]
    print(f"\nPer kind on {newest} (emergency reply): " + " | ".join(variants))
    for row in E.per_kind_table(variants):
        print("  " + "  ".join(f"{cell:<16}" for cell in row))
    model = variants["model"]
    print("  per style (model): " + ", ".join(f"{k} {E.pct(v['rate'])}" for k, v in model["per_style"].items()))
    for m in model["misses"]:
        print(f"  MISS [{m['kind']}/{m['style']}] -> {m['decision']}: {m['text']}  {m['detectors']}")
    for m in model["false_alarms"]:
        print(f"  FALSE ALARM [{m['type']}/{m['style']}]: {m['text']}  {m['detectors']}")
    print(f"  emergency predicted for non-emergency held-out NLU sentences: {H.fmt(r['emergency_on_nlu_set'])}")
    sn = r["screen_or_net_on_topic_questions"]
    print(f"  screen or safety net on ordinary held-out topic questions: {E.pct(sn['rate'])} of {sn['n']}")
    for t in sn["texts"]:
        print("    SCREEN/NET:", t)
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
          f"rejection {H.fmt(sc['oos_rejection'])}, no article answer {H.fmt(sc['oos_no_article_answer'])}, "
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
