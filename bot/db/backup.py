"""Backing up and restoring the application database: SQLite with sqlite3's online backup API (safe while the
assistant runs), PostgreSQL with pg_dump/pg_restore in their custom format."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from bot.db.migrate import alembic_config, upgrade

BUSY_MS = 10_000


class BackupError(RuntimeError):
    """A backup or restore that was refused or failed; the message says why and what to do instead."""


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(parsed.database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL as pg_dump takes it (no driver name, no password) and the environment carrying the password."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = URL.create(
        "postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query
    )
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str | None:
    return shutil.which(name)


def new_path(folder: Path, now: datetime, suffix: str, tag: str = "") -> Path:
    """folder/qybot-YYYYmmdd-HHMMSS[-tag].suffix, never an existing file."""
    stem = f"qybot-{now:%Y%m%d-%H%M%S}{'-' + tag if tag else ''}"
    path, n = folder / f"{stem}.{suffix}", 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}.{suffix}"
    return path


def backup(url: str, folder: Path, now: datetime, out: Path | None = None, tag: str = "") -> Path:
    """Write a consistent copy of the database at ``url`` to ``out`` (default: a new file in ``folder``)."""
    source = sqlite_file(url)
    if source is None:
        return _pg_dump(url, out or new_path(folder, now, "dump", tag))
    if not source.is_file():
        raise BackupError(f"there is no database at {source} (run `bot db upgrade` first)")
    out = out or new_path(folder, now, "db", tag)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    src, dst = sqlite3.connect(source, timeout=BUSY_MS / 1000), sqlite3.connect(partial)
    with closing(src), closing(dst):
        # One step over every page from a read transaction: the committed state, whatever other
        # connections are writing; Python retries while the file is locked.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
    partial.replace(out)
    return out


def _pg_dump(url: str, out: Path) -> Path:
    libpq, env = _libpq(url)
    tool = _tool("pg_dump")
    if tool is None:
        raise BackupError(
            "pg_dump is not installed (Debian: apt-get install postgresql-client). Back up with:\n"
            f"  PGPASSWORD=… pg_dump --format=custom --no-owner --file={out} '{libpq}'\n"
            f"and restore with:\n  pg_restore --clean --if-exists --no-owner --single-transaction "
            f"--dbname='{libpq}' {out}"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    done = subprocess.run(
        [tool, "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={libpq}"],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    partial.replace(out)
    return out


def known_revisions(url: str) -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config(url)).walk_revisions()}


def sqlite_backup_revision(path: Path) -> str:
    """The schema revision of a SQLite backup; BackupError when it is not an intact database of ours."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (PRAGMA quick_check failed); choose another backup")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a backup of this assistant's database ({error})") from error
    if row is None:
        raise BackupError(f"{path} is not a backup of this assistant's database (no schema revision)")
    return str(row[0])


def restore(url: str, path: Path, folder: Path, now: datetime) -> Path | None:
    """Replace the database at ``url`` with the backup ``path``, after a safety backup of it (returned; None when
    there was nothing to keep), and bring it to the latest schema. Refuses anything but a backup of ours."""
    target = sqlite_file(url)
    if target is None:
        return _pg_restore(url, path, folder, now)
    revision = sqlite_backup_revision(path)
    if revision not in known_revisions(url):
        raise BackupError(f"{path} has schema revision {revision!r}, which this version does not know")
    safety = backup(url, folder, now, tag="before-restore") if target.is_file() else None
    _copy_into(path, target)
    upgrade(url)
    return safety


def _copy_into(path: Path, target: Path) -> None:
    """The SQLite file ``path`` copied page by page into the live file ``target`` under SQLite's own locks, so
    that running processes see the restored data."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=BUSY_MS / 1000)
    with closing(src), closing(dst):
        src.backup(dst)


def _pg_restore(url: str, path: Path, folder: Path, now: datetime) -> Path:
    libpq, env = _libpq(url)
    tool = _tool("pg_restore")
    if tool is None or _tool("pg_dump") is None:
        raise BackupError(
            "the database is PostgreSQL and pg_dump/pg_restore are not installed (Debian: apt-get install "
            "postgresql-client); restore a `pg_dump --format=custom` file with:\n"
            f"  PGPASSWORD=… pg_restore --clean --if-exists --no-owner --single-transaction --dbname='{libpq}' {path}"
        )
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    listing = subprocess.run([tool, "--list", str(path)], capture_output=True, text=True)
    if listing.returncode != 0 or "alembic_version" not in listing.stdout:
        raise BackupError(f"{path} is not a pg_dump (custom format) backup of this assistant's database")
    safety = backup(url, folder, now, tag="before-restore")
    done = subprocess.run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={libpq}",
            str(path),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore failed ({done.returncode}), nothing changed; the safety backup is {safety}: "
            f"{done.stderr.strip()[-500:]}"
        )
    upgrade(url)
    return safety


def restore_tracker(url: str, path: Path, folder: Path, now: datetime) -> Path | None:
    """Replace Rasa's SQLite tracker store with the backup ``path`` (a copy of one, with its `events` table), after a
    safety backup; stop Rasa first, it keeps no conversation in memory but reads each one from here."""
    target = sqlite_file(url)
    if target is None:
        libpq, _env = _libpq(url)
        raise BackupError(
            "the tracker store is PostgreSQL: stop the Rasa servers, then\n"
            f"  PGPASSWORD=… pg_restore --clean --if-exists --no-owner --single-transaction --dbname='{libpq}' {path}"
        )
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (PRAGMA quick_check failed); choose another backup")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a backup of the tracker store ({error})") from error
    if "events" not in tables:
        raise BackupError(f"{path} is not a backup of the tracker store (no events table)")
    safety = backup(url, folder, now, tag="tracker-before-restore") if target.is_file() else None
    _copy_into(path, target)
    return safety
