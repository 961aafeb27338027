"""Deletes stored conversations from the SQLite tracker store.

    .venv/bin/python scripts/retention.py purge [--days N] [--db var/tracker.db] [--dry-run]
    .venv/bin/python scripts/retention.py forget --sender ID [--db var/tracker.db] [--dry-run]

`purge` deletes tracker events and triage records older than N days (default:
RETENTION_DAYS from the environment, else retention_days in config/clinic.yml,
else 30); `forget` deletes every event
and triage record of one sender. Both run in one transaction and VACUUM the
file afterwards. The default database is var/tracker.db in the repository,
wherever the command is run from. Exit status: 0 done, 1 deleted but VACUUM
failed, 2 nothing done (bad arguments, no database, unexpected schema).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import List, Optional


from privacy import retention


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Delete stored conversations from the SQLite tracker store.")
    commands = parser.add_subparsers(dest="command", required=True)
    purge = commands.add_parser("purge", help="delete events and triage records older than N days")
    purge.add_argument(
        "--days", type=float, default=None,
        help=f"keep this many days (default: ${retention.RETENTION_DAYS_ENV}, else retention_days in"
        f" config/clinic.yml, else {retention.DEFAULT_RETENTION_DAYS})",
    )
    forget = commands.add_parser("forget", help="delete every event and triage record of one sender")
    forget.add_argument("--sender", required=True, help="the conversation's sender id")
    for command in (purge, forget):
        command.add_argument("--db", type=Path, default=retention.DEFAULT_DB_PATH, help="SQLite tracker store")
        command.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    return parser.parse_args(argv)


def report(result: retention.Deleted, dry_run: bool) -> str:
    verb = "would delete" if dry_run else "deleted"
    parts = [f"{result.rows[table]} {table.replace('_', ' ')}" for table in result.rows]
    parts += [f"no {table} table" for table in result.absent]
    return f"{verb}: " + ", ".join(parts)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        if args.command == "purge":
            days = retention.retention_days() if args.days is None else retention.check_days(args.days)
            now = time.time()
            cutoff = datetime.fromtimestamp(now - days * retention.SECONDS_PER_DAY, timezone.utc)
            print(f"{args.db}: purging data older than {days:g} days (before {cutoff:%Y-%m-%d %H:%M} UTC)")
            result = retention.purge(args.db, days=days, now=now, dry_run=args.dry_run)
        else:
            print(f"{args.db}: forgetting sender {args.sender!r}")
            result = retention.forget(args.db, args.sender, dry_run=args.dry_run)
    except retention.RetentionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report(result, args.dry_run))
    if result.vacuum_error:
        print(f"warning: deleted, but VACUUM failed ({result.vacuum_error}); run it again later", file=sys.stderr)
        return 1
    if result.vacuumed:
        print("vacuumed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
