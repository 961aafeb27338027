"""Scores the grouping of unanswered questions on a table of messages grouped by need (a blind table).

.venv/bin/python scripts/score_cluster_table.py tests/data/blind_unanswered.yml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evaluation.cluster_table import score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("table", type=Path)
    args = parser.parse_args()
    result = score(args.table)
    print(f"{result['messages']} messages in {result['needs']} needs; {result['groups_found']} groups found")
    print(f"adjusted Rand index {result['adjusted_rand']:.3f}, V-measure {result['v_measure']:.3f}")
    for r in result["top3"]:  # type: ignore[attr-defined]
        print(f"  {r['need']!r} ({r['size']}): {r['largest_share']:.0%} in one group (report rank "
              f"{r['report_rank']}), that group {r['purity']:.0%} pure")
    print(f"the table's three largest needs among the report's top three: {result['top3_in_report_top3']} of 3")
    return 0


if __name__ == "__main__":
    sys.exit(main())
