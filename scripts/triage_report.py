"""Lists the stored triage records and call-back requests as tables and writes them as CSV (`make triage-report`)."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Dict, List

from mfr import callback_store
from mfr.triage_store import as_row, list_records, triage_db_path

COLUMNS = ["created_at", "channel", "sender_id", "complaint", "duration", "symptoms", "risk_factors",
           "red_flag", "for_whom", "disposition"]
CALLBACK_COLUMNS = ["created_at", "channel", "phone", "topics", "symptoms", "risk_factors", "disposition",
                    "red_flag"]


def print_table(rows: List[Dict[str, object]], columns: List[str]) -> None:
    widths = {c: max([len(c)] + [len(str(r[c])) for r in rows]) for c in columns}
    widths = {c: min(w, 40) for c, w in widths.items()}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(str(r[c])[: widths[c]].ljust(widths[c]) for c in columns))


def write_csv(path: Path, rows: List[Dict[str, object]], columns: List[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=triage_db_path())
    parser.add_argument("--csv", type=Path, default=Path("reports/triage_records.csv"))
    parser.add_argument("--callbacks-csv", type=Path, default=Path("reports/callback_requests.csv"))
    args = parser.parse_args()
    rows = [as_row(r) for r in list_records(args.db)]
    print_table(rows, COLUMNS)
    write_csv(args.csv, rows, COLUMNS)
    print(f"\n{len(rows)} triage record(s) from {args.db}; CSV written to {args.csv}")

    callbacks = [callback_store.as_row(r) for r in callback_store.list_callbacks(args.db)]
    print("\nCall-back requests (phone line, transfer not answered):")
    print_table(callbacks, CALLBACK_COLUMNS)
    write_csv(args.callbacks_csv, callbacks, CALLBACK_COLUMNS)
    print(f"\n{len(callbacks)} call-back request(s); CSV written to {args.callbacks_csv}")


if __name__ == "__main__":
    main()
