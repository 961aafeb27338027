"""Scores one intent table with a trained model and prints the figures.

    .venv/bin/python scripts/score_intent_table.py TABLE.yml [--model models/mfr.tar.gz] [--quiet]

A table is ``examples: [{text, intent, style}]`` (the format of
tests/data/heldout_nlu.yml). Prints intent accuracy (overall, per style, per
intent), how often "Did you mean" came, out-of-scope rejection and in-scope
questions kept and, unless --quiet, every wrong prediction. --quiet is for a
blind table that must stay unseen until its one scoring: figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from evaluation import heldout as H
from evaluation.quality import parse_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("table", type=Path)
    parser.add_argument("--model", default="models/mfr.tar.gz")
    parser.add_argument("--quiet", action="store_true", help="figures only, no sentence texts")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    cases = H.table_cases(args.table)
    parses = asyncio.run(parse_all(args.model, [c.text for c in cases]))
    predicted = [p["intent"]["name"] for p in parses]
    report = H.intent_report([c.intent for c in cases], predicted)
    styles = H.accuracy_by(cases, predicted, lambda c: c.style)
    scope = H.scope_report(cases, predicted)
    fallback = sum(1 for p in predicted if p == H.FALLBACK) / len(predicted)
    print(f"{args.table.name}: {len(cases)} sentences, {len(report['per_intent'])} intents")
    print(f"  intent accuracy {report['accuracy']:.3f}, macro F1 {report['macro_f1']:.3f}, "
          f"'Did you mean' {fallback:.1%}")
    print("  per style: " + ", ".join(f"{s} {a:.3f} (n={n})" for s, (a, n) in styles.items()))
    print("  per intent (recall): " + ", ".join(
        f"{name} {prf.recall:.2f}" for name, prf in sorted(report["per_intent"].items())))
    if scope["oos_n"]:
        print(f"  out-of-scope rejected {scope['oos_rejection']:.3f} (n={scope['oos_n']}), "
              f"in-scope kept {scope['in_scope_kept']:.3f} (n={scope['in_scope_n']})")
    if not args.quiet:
        for case, got in zip(cases, predicted, strict=True):
            if case.intent != got:
                print(f"  WRONG ({case.style}) {case.intent} -> {got}: {case.text}")
    if args.json:
        args.json.write_text(json.dumps({
            "n": len(cases), "accuracy": report["accuracy"], "macro_f1": report["macro_f1"],
            "fallback_rate": fallback, "per_style": styles,
            "oos_rejection": scope["oos_rejection"], "in_scope_kept": scope["in_scope_kept"],
        }, indent=2))


if __name__ == "__main__":
    main()
