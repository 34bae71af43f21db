"""The `bot` commands that look after stored data: db upgrade, revision, backup and restore; retention; jobs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.settings import get_settings


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.db.migrate import upgrade

    url = get_settings().db_url
    upgrade(url)
    print(f"database is at the latest schema ({url.split('@')[-1]})")
    return 0


def cmd_db_revision(args: argparse.Namespace) -> int:
    from bot.db.migrate import revision

    path = revision(get_settings().db_url, args.message, autogenerate=args.autogenerate)
    print(f"wrote {path}: check it, then run `bot db upgrade`")
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    from datetime import datetime

    from bot.db.backup import BackupError, backup

    settings = get_settings()
    url, tag = (settings.tracker_url, "tracker") if args.tracker else (settings.db_url, "")
    try:
        path = backup(url, settings.backup_dir, datetime.now(), Path(args.out) if args.out else None, tag=tag)
    except BackupError as error:
        print(f"no backup written: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


def cmd_db_restore(args: argparse.Namespace) -> int:
    from datetime import datetime

    from bot.db.backup import BackupError, restore, restore_tracker

    settings = get_settings()
    try:
        if args.tracker:
            safety = restore_tracker(
                settings.tracker_url, Path(args.path), settings.backup_dir, datetime.now()
            )
        else:
            safety = restore(settings.db_url, Path(args.path), settings.backup_dir, datetime.now())
    except BackupError as error:
        print(f"nothing restored: {error}", file=sys.stderr)
        return 2
    if safety:
        print(f"the database as it was is kept in {safety}")
    print(f"restored {args.path}")
    return 0


def cmd_retention_run(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from bot.retention import run_retention

    settings = get_settings()
    report = run_retention(settings, datetime.now(timezone.utc), dry_run=args.dry_run)
    print(
        f"retention: referrals closed over {settings.retention_referral_months} months ago, "
        f"questions over {settings.retention_question_log_months} months old"
        + (" (dry run: nothing changed)" if args.dry_run else "")
    )
    for line in report.lines():
        print(f"  {line}")
    return 0


def cmd_jobs_run(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from bot.ops.jobs import default_jobs, run_due, serve

    settings = get_settings()
    if not args.once:
        return serve(settings)
    from bot.mediation.org_notices import DeliverySettings, deliver_due

    ran = run_due(settings.db_url, default_jobs(settings), lambda: datetime.now(timezone.utc))
    print(f"ran: {', '.join(ran) or 'nothing was due'}")
    counts = deliver_due(settings.db_url, DeliverySettings.from_settings(settings))
    print("organization notices: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


def add_data_commands(sub: Any) -> None:
    """Adds `db`, `retention` and `jobs` to the `bot` command's subparsers."""
    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply Alembic migrations").set_defaults(func=cmd_db_upgrade)
    rev = db.add_parser("revision", help="write a new migration into bot/db/migrations/versions/")
    rev.add_argument("-m", "--message", required=True, help="what the migration changes")
    rev.add_argument(
        "--autogenerate",
        action="store_true",
        help="fill it in from bot/db/models.py vs the (upgraded) database",
    )
    rev.set_defaults(func=cmd_db_revision)
    backup = db.add_parser("backup", help="write a consistent copy of the database (safe while it runs)")
    backup.add_argument("--out", help="default: var/backups/qybot-YYYYmmdd-HHMMSS.db (.dump for PostgreSQL)")
    backup.add_argument(
        "--tracker", action="store_true", help="Rasa's conversations (TRACKER_STORE_URL) instead"
    )
    backup.set_defaults(func=cmd_db_backup)
    restore = db.add_parser("restore", help="replace the database with a backup (after a safety backup)")
    restore.add_argument("path")
    restore.add_argument(
        "--tracker", action="store_true", help="a backup of Rasa's conversations (stop Rasa first)"
    )
    restore.set_defaults(func=cmd_db_restore)
    retention = sub.add_parser("retention", help="data retention").add_subparsers(
        dest="retention_command", required=True
    )
    ret = retention.add_parser(
        "run", help="remove personal data of long-closed referrals and old question-log rows"
    )
    ret.add_argument("--dry-run", action="store_true", help="only count what would be removed")
    ret.set_defaults(func=cmd_retention_run)
    jobs = sub.add_parser("jobs", help="periodic jobs").add_subparsers(dest="jobs_command", required=True)
    jobs_run = jobs.add_parser(
        "run",
        help="run due jobs (retention daily at RETENTION_HOUR) and deliver notices to organizations until stopped",
    )
    jobs_run.add_argument("--once", action="store_true", help="run what is due now, then exit")
    jobs_run.set_defaults(func=cmd_jobs_run)
