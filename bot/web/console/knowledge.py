"""The console's publish page: educators and admins see which knowledge is live and publish knowledge/ (the same
command as `bot knowledge publish`, run as its own process so the web app never holds the retriever)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from flask import Blueprint, current_app, render_template

from bot.knowledge import releases
from bot.knowledge.entries import load_entries
from bot.knowledge.review import Stale, stale_entries
from bot.knowledge.statutes import StatuteIndex
from bot.settings import Settings, child_env
from bot.web.console.auth import login_required
from bot.web.console.csrf import check_csrf

bp = Blueprint("console_knowledge", __name__, url_prefix="/console/knowledge")
bp.before_request(check_csrf)
PUBLISH_TIMEOUT_SECONDS = 180
MAX_PROBLEMS_SHOWN = 50


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


def _stale() -> list[Stale]:
    """Entries of knowledge/ to review against the current law texts (never reviewed, or against an old version)."""
    knowledge = _settings().knowledge_dir
    try:
        return stale_entries(load_entries(knowledge / "qa"), StatuteIndex.load(knowledge / "laws"))
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
    ):  # a broken folder: publishing reports it
        return []


def _page(result: dict[str, Any] | None = None, status: int = 200) -> Any:
    live = releases.current(_settings().releases_dir)
    return render_template("console/knowledge.html", live=live, result=result, stale=_stale()), status


@bp.get("")
@login_required("educator", "admin")
def index() -> Any:
    return _page()


@bp.post("/publish")
@login_required("educator", "admin")
def publish() -> Any:
    """Check and publish knowledge/; the page shows each problem (file:line: reason) when it is refused."""
    settings = _settings()
    command = [sys.executable, "-m", "bot", "knowledge", "publish"]
    env = child_env(PROJECT_ROOT=str(settings.project_root))
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=PUBLISH_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return _page({"ok": False, "timeout": True, "problems": []}, 500)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode == 0:
        return _page({"ok": True, "problems": []})
    return _page(
        {
            "ok": False,
            "problems": lines[:MAX_PROBLEMS_SHOWN],
            "more": max(0, len(lines) - MAX_PROBLEMS_SHOWN),
        },
        422,
    )
