"""Alembic for our own data: applying migrations (``bot db upgrade``) and writing new ones (``bot db revision``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent
INI = HERE / "alembic.ini"
VERSIONS = HERE / "migrations" / "versions"


def alembic_config(url: str, versions: Path | None = None) -> Config:
    """bot/db/alembic.ini with the database URL (and, for tests, another folder for new revisions)."""
    config = Config(str(INI))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if versions is not None:
        config.set_main_option("version_locations", f"{VERSIONS} {versions}")
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (creating the SQLite file if needed)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def next_revision_id(config: Config) -> str:
    """Revisions are numbered 0001, 0002, …: one more than the current head."""
    heads = ScriptDirectory.from_config(config).get_heads()
    return f"{max((int(h) for h in heads), default=0) + 1:04d}"


def revision(url: str, message: str, autogenerate: bool = False, versions: Path | None = None) -> Path:
    """Write a new migration; with ``autogenerate``, filled in from the difference between the models and the
    database at ``url`` (which must be at the latest revision). Returns the new file."""
    config = alembic_config(url, versions)
    script = command.revision(
        config,
        message=message,
        autogenerate=autogenerate,
        rev_id=next_revision_id(config),
        version_path=str(versions) if versions is not None else None,
    )
    if script is None or isinstance(script, list):
        raise RuntimeError("alembic wrote no single revision")
    return Path(script.path)
