"""The development SECRET_KEY kept in var/secret.key: made once, atomically, readable by its owner only."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

FILE_NAME = "secret.key"
MIN_LENGTH = 32


def development_secret(var_dir: Path) -> str:
    """The key in ``var_dir/secret.key``, generated first if there is none (two processes starting at once
    end up with the same key: the file appears whole or not at all, and the first one made wins)."""
    path = var_dir / FILE_NAME
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        draft = var_dir / f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it meanwhile: theirs is kept
                os.link(draft, path)
        finally:
            draft.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_LENGTH:
        raise ValueError(f"{path} holds no usable key: delete it (a new one is made) or set SECRET_KEY")
    return key
