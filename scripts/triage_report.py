"""Lists the stored triage records as a table and writes them as CSV (`make triage-report`)."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from mfr.triage_store import as_row, list_records, triage_db_path

COLUMNS = ["created_at", "channel", "sender_id", "complaint", "duration", "symptoms", "risk_factors",
           "red_flag", "for_whom", "disposition"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=triage_db_path())
    parser.add_argument("--csv", type=Path, default=Path("reports/triage_records.csv"))
    args = parser.parse_args()
    rows = [as_row(r) for r in list_records(args.db)]
    widths = {c: max([len(c)] + [len(str(r[c])) for r in rows]) for c in COLUMNS}
    widths = {c: min(w, 40) for c, w in widths.items()}
    print("  ".join(c.ljust(widths[c]) for c in COLUMNS))
    for r in rows:
        print("  ".join(str(r[c])[: widths[c]].ljust(widths[c]) for c in COLUMNS))
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    with open(args.csv, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    print(f"\n{len(rows)} triage record(s) from {args.db}; CSV written to {args.csv}")


if __name__ == "__main__":
    main()
