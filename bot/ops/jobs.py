"""Periodic jobs (`bot jobs run`, started by `bot run`): each runs once a day at its hour, Beijing time. A row of
job_runs, claimed with a conditional UPDATE, lets exactly one of several runners run each occurrence."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from bot.db.models import JobRun
from bot.db.session import session_scope
from bot.settings import Settings

logger = logging.getLogger(__name__)

BEIJING = timezone(timedelta(hours=8), "CST")  # Qingyuan's time; China has no daylight saving time
OUTCOME_MAX = 200  # JobRun.outcome


@dataclass(frozen=True)
class Job:
    """A daily job: its name in job_runs, the hour it is due, and what it does (returns a short outcome)."""

    name: str
    hour: int
    run: Callable[[datetime], str]


def latest_slot(now: datetime, hour: int) -> datetime:
    """The most recent ``hour``:00 Beijing time at or before ``now``, in UTC."""
    local = now.astimezone(BEIJING)
    slot = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if slot > local:
        slot -= timedelta(days=1)
    return slot.astimezone(timezone.utc)


def claim(url: str, name: str, slot: datetime, now: datetime) -> bool:
    """Take the occurrence ``slot`` of job ``name``; False when it was already taken (here or elsewhere)."""
    with session_scope(url) as session:
        if session.get(JobRun, name) is None:
            savepoint = session.begin_nested()
            try:
                session.add(JobRun(name=name, outcome=""))
                session.flush()
                savepoint.commit()
            except IntegrityError:  # another runner created it first
                savepoint.rollback()
        result = session.execute(
            update(JobRun)
            .where(JobRun.name == name, or_(JobRun.last_slot.is_(None), JobRun.last_slot < slot))
            .values(last_slot=slot, started_at=now, finished_at=None, outcome="running")
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)


def _finish(url: str, name: str, now: datetime, outcome: str) -> None:
    with session_scope(url) as session:
        session.execute(
            update(JobRun)
            .where(JobRun.name == name)
            .values(finished_at=now, outcome=outcome[:OUTCOME_MAX])
            .execution_options(synchronize_session=False)
        )


def run_due(url: str, jobs: list[Job], clock: Callable[[], datetime]) -> list[str]:
    """Run every job whose latest occurrence nobody has claimed yet; the names of those run here. A failed job
    waits for its next occurrence (its transaction rolled back; the outcome names the error)."""
    ran = []
    for job in jobs:
        now = clock().astimezone(timezone.utc)
        if not claim(url, job.name, latest_slot(now, job.hour), now):
            continue
        try:
            outcome = job.run(now)
        except Exception as exc:  # the type only: a message could quote personal data
            outcome = f"failed: {type(exc).__name__}"
            logger.error("job %s failed (%s)", job.name, type(exc).__name__)
        else:
            logger.info("job %s: %s", job.name, outcome)
        _finish(url, job.name, clock().astimezone(timezone.utc), outcome)
        ran.append(job.name)
    return ran


def run_forever(
    url: str,
    jobs: list[Job],
    poll_seconds: float,
    stop: Callable[[], bool],
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    sleep: Callable[[float], None] = time.sleep,
    every_poll: Callable[[], object] | None = None,
) -> None:
    """Look for due jobs every ``poll_seconds`` until ``stop()``, and run ``every_poll`` (the organizations'
    notices) each time; a database error is logged and retried."""
    while not stop():
        try:
            run_due(url, jobs, clock)
        except Exception as exc:
            logger.error("jobs: could not check for due jobs (%s)", type(exc).__name__)
        if every_poll is not None:
            try:
                every_poll()
            except Exception as exc:
                logger.error("jobs: could not deliver notices (%s)", type(exc).__name__)
        waited = 0.0
        while waited < poll_seconds and not stop():
            step = min(1.0, poll_seconds - waited)
            sleep(step)
            waited += step


def retention_job(settings: Settings) -> Job:
    def run(now: datetime) -> str:
        from bot.retention import run_retention

        return run_retention(settings, now).summary()

    return Job("retention", settings.retention_hour, run)


def default_jobs(settings: Settings) -> list[Job]:
    return [retention_job(settings)]


def serve(settings: Settings) -> int:
    """`bot jobs run`: the loop, logging to stderr, until SIGINT or SIGTERM (as `bot run` stops its children)."""
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    logger.info(
        "job runner: %s",
        ", ".join(f"{j.name} daily at {j.hour}:00 Beijing time" for j in default_jobs(settings)),
    )
    from bot.mediation.org_notices import DeliverySettings, deliver_due

    delivery = DeliverySettings.from_settings(settings)
    poll = min(settings.jobs_poll_seconds, settings.org_notify_poll_seconds)
    run_forever(
        settings.db_url,
        default_jobs(settings),
        poll,
        lambda: stopping,
        every_poll=lambda: deliver_due(settings.db_url, delivery),
    )
    return 0
