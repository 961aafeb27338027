"""Scores one emergency table with a trained model and prints what happened.

    .venv/bin/python scripts/score_emergency_table.py TABLE.yml [--model models/mfr.tar.gz] [--quiet]

Prints the emergency reply's recall (overall, per kind, per style), the
screen, the hard negatives' reply and screen rates and, unless --quiet, every
miss and false alarm with what each detector said. --quiet is for a table
that must stay unseen: only the figures are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from evaluation import emergency as E
from evaluation.quality import parse_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("table", type=Path)
    parser.add_argument("--model", default="models/mfr.tar.gz")
    parser.add_argument("--quiet", action="store_true", help="figures only, no row texts")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    rows = E.load_table(args.table)
    parses = asyncio.run(parse_all(args.model, [r.text for r in rows]))
    r = E.report(rows, [E.decision_of(p) for p in parses], [p.get("emergency_detection", {}) for p in parses])
    print("\n".join(E.summary_lines(args.table.name, r)))
    if not args.quiet:
        for m in r["misses"]:
            print(f"  MISS [{m['kind']}/{m['style']}] -> {m['decision']}: {m['text']}  {m['detectors']}")
        for m in r["false_alarms"]:
            print(f"  FALSE ALARM [{m['type']}/{m['style']}]: {m['text']}  {m['detectors']}")
        for m in r["screened_negatives"]:
            print(f"  SCREENED [{m['type']}/{m['style']}]: {m['text']}  {m['detectors']}")
    if args.json:
        args.json.write_text(json.dumps(r if not args.quiet else {k: v for k, v in r.items()
                                        if k not in ("misses", "false_alarms", "screened_negatives")}, indent=2))


if __name__ == "__main__":
    main()
