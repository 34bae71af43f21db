"""`bot db backup` / `bot db restore`: data changed or deleted after a backup comes back exactly; a backup taken
while another connection is writing is consistent; anything but a backup of ours is refused; PostgreSQL goes
through pg_dump/pg_restore (or exact instructions when they are missing)."""

import os
import sqlite3
import stat
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from bot.cli import main
from bot.db.backup import BackupError, backup, restore, sqlite_backup_revision
from bot.db.models import OrgNotice, Referral, ReferralEvent
from bot.db.session import get_engine, session_scope
from bot.privacy import PiiCipher
from bot.settings import get_settings
from tests.mediation.referral_factory import add_orgs, add_referral

NOW = datetime(2026, 12, 8, 10, 30, 0)


@pytest.fixture
def sqlite_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite database with three referrals (the backups go to tmp_path/var/backups)."""
    from bot.db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'var' / 'qybot.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "var" / "backups"))
    get_settings.cache_clear()
    upgrade(url)
    with session_scope(url) as s:
        add_orgs(s)
        for n in range(3):
            add_referral(s, PiiCipher(get_settings().secret_key), key=f"conv-{n}")
    yield url
    get_engine(url).dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


def snapshot(url: str) -> list[tuple]:
    """Every referral and history row, every column."""
    with session_scope(url) as s:
        rows = []
        for model in (Referral, ReferralEvent):
            columns = [c.name for c in model.__table__.columns]
            for obj in s.execute(select(model).order_by(model.id)).scalars():
                rows.append((model.__tablename__, *(getattr(obj, c) for c in columns)))
        return rows


def test_backup_change_restore_gives_the_data_back_exactly(sqlite_db: str, tmp_path: Path) -> None:
    before = snapshot(sqlite_db)
    assert len(before) == 6
    copy = backup(sqlite_db, tmp_path / "backups", NOW)
    assert copy.name == "qybot-20261208-103000.db" and sqlite_backup_revision(copy)
    with session_scope(sqlite_db) as s:
        first = s.execute(select(Referral).order_by(Referral.id)).scalars().first()
        first.status, first.description = "resolved", "changed"
        s.execute(delete(ReferralEvent).where(ReferralEvent.referral_id != first.id))
        s.execute(delete(OrgNotice).where(OrgNotice.referral_id != first.id))
        s.execute(delete(Referral).where(Referral.id != first.id))
    assert snapshot(sqlite_db) != before

    safety = restore(sqlite_db, copy, tmp_path / "backups", NOW)
    assert snapshot(sqlite_db) == before
    assert safety is not None and safety.name == "qybot-20261208-103000-before-restore.db"
    assert len(snapshot(f"sqlite:///{safety}")) == 2  # the changed state is kept too


def test_backup_during_an_open_write_transaction_is_consistent(sqlite_db: str, tmp_path: Path) -> None:
    before = snapshot(sqlite_db)
    writer = sqlite3.connect(sqlite_db.removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM referral_events")
        writer.execute("UPDATE referrals SET description = 'half-written'")
        copy = backup(sqlite_db, tmp_path / "backups", NOW)  # while the write lock is held
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert snapshot(f"sqlite:///{copy}") == before  # the committed state, nothing of the open transaction


def test_backup_sees_committed_writes_of_other_connections(sqlite_db: str, tmp_path: Path) -> None:
    with get_engine(sqlite_db).begin() as conn:  # committed, still in the WAL file
        conn.execute(text("UPDATE referrals SET description = 'committed'"))
    copy = backup(sqlite_db, tmp_path / "backups", NOW)
    with sqlite3.connect(copy) as conn:
        assert {row[0] for row in conn.execute("SELECT description FROM referrals")} == {"committed"}


@pytest.mark.parametrize(
    "content",
    [b"", b"not a database at all\n" * 100, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["empty", "text", "broken-header"],
)
def test_restore_refuses_garbage(sqlite_db: str, tmp_path: Path, content: bytes) -> None:
    before = snapshot(sqlite_db)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(content)
    with pytest.raises(BackupError, match=r"not a backup of this assistant's database|damaged"):
        restore(sqlite_db, garbage, tmp_path / "backups", NOW)
    assert snapshot(sqlite_db) == before
    assert not (tmp_path / "backups").exists()  # refused before anything was done


def test_restore_refuses_another_sqlite_database_and_unknown_revisions(
    sqlite_db: str, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    with pytest.raises(BackupError, match="no such table: alembic_version"):
        restore(sqlite_db, other, tmp_path / "backups", NOW)
    future = backup(sqlite_db, tmp_path / "backups", NOW)
    with sqlite3.connect(future) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(BackupError, match="'9999'"):
        restore(sqlite_db, future, tmp_path / "backups", NOW)
    with pytest.raises(BackupError, match="does not exist"):
        restore(sqlite_db, tmp_path / "missing.db", tmp_path / "backups", NOW)


def test_cli_backup_and_restore(sqlite_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(sqlite_db)
    assert main(["db", "backup"]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.parent == tmp_path / "var" / "backups" and written.name.startswith("qybot-")
    assert main(["db", "backup", "--out", str(tmp_path / "mine.db")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "mine.db")
    with session_scope(sqlite_db) as s:
        s.execute(delete(ReferralEvent))
        s.execute(delete(OrgNotice))
        s.execute(delete(Referral))
    assert main(["db", "restore", str(tmp_path / "mine.db")]) == 0
    out = capsys.readouterr().out
    assert "before-restore" in out and snapshot(sqlite_db) == before
    (tmp_path / "junk.db").write_text("junk")
    assert main(["db", "restore", str(tmp_path / "junk.db")]) == 2
    assert "nothing restored" in capsys.readouterr().err


PG_URL = "postgresql+psycopg2://qy:s3cret@db.example:5432/qybot"


def test_postgres_without_pg_dump_prints_exact_instructions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing there
    with pytest.raises(BackupError) as refused:
        backup(PG_URL, tmp_path, NOW)
    message = str(refused.value)
    assert "pg_dump --format=custom" in message and "postgresql://qy@db.example:5432/qybot" in message
    assert "s3cret" not in message and "pg_restore" in message
    with pytest.raises(BackupError, match="pg_restore --clean"):
        restore(PG_URL, tmp_path / "x.dump", tmp_path, NOW)


def _fake_tool(folder: Path, name: str, script: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_postgres_backup_and_restore_run_pg_dump_and_pg_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recorded calls of stand-in tools: the custom format, the URL without its password, PGPASSWORD."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    record = f'echo "$(basename "$0") PGPASSWORD=$PGPASSWORD $*" >> {log}\n'
    _fake_tool(
        bin_dir,
        "pg_dump",
        record + 'for a; do case "$a" in --file=*) echo dump > "${a#--file=}";; esac; done\n',
    )
    _fake_tool(
        bin_dir, "pg_restore", record + 'case "$1" in --list) echo "TABLE public alembic_version";; esac\n'
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setattr("bot.db.backup.upgrade", lambda url: None)  # no server to migrate

    dump = backup(PG_URL, tmp_path / "backups", NOW)
    assert dump.name == "qybot-20261208-103000.dump" and dump.read_text() == "dump\n"
    safety = restore(PG_URL, dump, tmp_path / "backups", NOW)
    assert safety.name == "qybot-20261208-103000-before-restore.dump"
    calls = log.read_text().splitlines()
    libpq = "--dbname=postgresql://qy@db.example:5432/qybot"
    assert calls[0].startswith("pg_dump PGPASSWORD=s3cret --format=custom --no-owner --file=")
    assert calls[0].endswith(libpq) and calls[1] == f"pg_restore PGPASSWORD= --list {dump}"
    assert calls[2].startswith("pg_dump ")
    assert calls[3] == (
        f"pg_restore PGPASSWORD=s3cret --clean --if-exists --no-owner --single-transaction {libpq} {dump}"
    )

    other = tmp_path / "other.dump"
    other.write_text("x")
    _fake_tool(bin_dir, "pg_restore", "exit 1\n")
    with pytest.raises(BackupError, match="not a pg_dump"):
        restore(PG_URL, other, tmp_path / "backups", NOW)


def test_the_tracker_store_is_backed_up_and_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rasa's conversations (its `events` table) go through `bot db backup --tracker` and back."""
    tracker = tmp_path / "var" / "tracker.db"
    tracker.parent.mkdir(parents=True)
    with sqlite3.connect(tracker) as conn:
        conn.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, data TEXT)"
        )
        conn.execute("INSERT INTO events (sender_id, type_name, data) VALUES ('a', 'user', '{}')")
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tracker}")
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "backups"))
    get_settings.cache_clear()
    try:
        assert main(["db", "backup", "--tracker"]) == 0
        copy = Path(capsys.readouterr().out.strip())
        assert copy.name.endswith("-tracker.db")
        with sqlite3.connect(tracker) as conn:
            conn.execute("DELETE FROM events")
        assert main(["db", "restore", "--tracker", str(copy)]) == 0
        with sqlite3.connect(tracker) as conn:
            assert conn.execute("SELECT sender_id, type_name FROM events").fetchall() == [("a", "user")]
        garbage = tmp_path / "garbage.db"
        garbage.write_bytes(b"not a database")
        assert main(["db", "restore", "--tracker", str(garbage)]) == 2
        assert "not a backup of the tracker store" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
