"""Deletes stored conversations from the conversation store (SQLite, or PostgreSQL with DB_HOST set).

    .venv/bin/python scripts/retention.py purge [--days N] [--db var/tracker.db] [--dry-run]
    .venv/bin/python scripts/retention.py forget --sender ID [--db var/tracker.db] [--dry-run]

With `DB_HOST` (and DB_PORT, DB_NAME, DB_USER, DB_PASSWORD) set, as on the
scale-out servers, the conversations' events are deleted in PostgreSQL and
the triage records and call-back requests in the SQLite file (`--db`, else
TRIAGE_DB), when there is one.

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
import os
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
        command.add_argument("--db", type=Path, default=None,
                             help=f"SQLite tracker store (default {retention.DEFAULT_DB_PATH}; with DB_HOST set, the "
                                  "triage tables' file: TRIAGE_DB)")
        command.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    return parser.parse_args(argv)


def report(result: retention.Deleted, dry_run: bool) -> str:
    verb = "would delete" if dry_run else "deleted"
    parts = [f"{result.rows[table]} {table.replace('_', ' ')}" for table in result.rows]
    parts += [f"no {table} table" for table in result.absent]
    return f"{verb}: " + ", ".join(parts)


def server_store(argv: Optional[List[str]] = None) -> int:
    """Retention on a database server's events (DB_HOST set), then on the SQLite file of the triage tables."""
    from insights.store import database_url
    from mfr.settings import database_path

    args = parse_args(argv)
    url = database_url()
    shown = url.render_as_string(hide_password=True)
    try:
        if args.command == "purge":
            days = retention.retention_days() if args.days is None else retention.check_days(args.days)
            print(f"{shown}: purging conversations older than {days:g} days")
            result = retention.purge_events_sql(url, days=days, dry_run=args.dry_run)
        else:
            print(f"{shown}: forgetting sender {args.sender!r}")
            result = retention.forget_events_sql(url, args.sender, dry_run=args.dry_run)
    except retention.RetentionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report(result, args.dry_run))
    triage_file = args.db or database_path()
    if Path(triage_file).is_file():
        return local_store(argv, triage_file)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    if os.environ.get("DB_HOST", "").strip():
        return server_store(argv)
    return local_store(argv)


def local_store(argv: Optional[List[str]] = None, db: Optional[Path] = None) -> int:
    """Retention on the SQLite file (conversations, triage records, call-back requests)."""
    args = parse_args(argv)
    args.db = db or args.db or retention.DEFAULT_DB_PATH
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
