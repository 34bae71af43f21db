"""How the console shows things to staff: local times, waiting times, and dispute types and channels by their
Chinese names (the words come from knowledge/: messages.yml and mediation/dispute_types.yml)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

LOCAL = ZoneInfo("Asia/Shanghai")  # 清远 keeps China Standard Time; the database keeps UTC


def local_time(moment: datetime | None) -> str:
    """2026-12-07 21:05 in China Standard Time (a naive moment is taken to be UTC, as SQLite returns it)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def waited(since: datetime | None, now: datetime, words: Mapping[str, str]) -> str:
    """How long something has waited, in the console's words: "3天2小时", "5小时", "不到1小时"."""
    if since is None:
        return ""
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    span = max(now - since, timedelta(0))
    days, hours = span.days, span.seconds // 3600
    if days:
        return words["days"].format(days=days, hours=hours)
    return words["hours"].format(hours=hours) if hours else words["minutes"]


def install(app: Flask, dispute_names: Mapping[str, str], messages: Mapping[str, Any]) -> None:
    """The template filters and the label tables every console page uses."""
    channels = dict(messages["console_channels"])
    waiting_words = dict(messages["console_waited"])
    app.add_template_filter(local_time, "local_time")
    app.jinja_env.globals.update(
        dispute_labels=dict(dispute_names),
        channel_labels=channels,
        notice_event_labels=dict(messages["console_notice_events"]),
        notice_status_labels=dict(messages["console_notice_statuses"]),
    )
    app.add_template_global(lambda since: waited(since, datetime.now(timezone.utc), waiting_words), "waited")
