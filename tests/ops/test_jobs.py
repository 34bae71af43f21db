"""The job runner: a daily job runs when its hour has come, once per day however many runners look, a failure
waits for the next day, and the retention job does the retention."""

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.db.models import JobRun, Referral
from bot.db.session import session_scope
from bot.ops.jobs import Job, claim, default_jobs, latest_slot, run_due, run_forever
from bot.ops.runner import Service, services, wait_healthy
from bot.privacy import PiiCipher
from bot.settings import Settings, get_settings
from tests.mediation.referral_factory import add_orgs, add_referral

UTC = timezone.utc


def beijing(text: str) -> datetime:
    """A Beijing wall-clock time, as the UTC instant the runner's clock gives."""
    return (datetime.fromisoformat(text) - timedelta(hours=8)).replace(tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def counting_job(calls: list[datetime], hour: int = 3) -> Job:
    def run(now: datetime) -> str:
        calls.append(now)
        return f"run {len(calls)}"

    return Job("counting", hour, run)


def test_latest_slot_is_the_last_occurrence_of_the_hour_in_beijing() -> None:
    assert latest_slot(beijing("2026-12-08T02:59"), 3) == beijing("2026-12-07T03:00")
    assert latest_slot(beijing("2026-12-08T03:00"), 3) == beijing("2026-12-08T03:00")
    assert latest_slot(beijing("2026-12-08T23:10"), 3) == beijing("2026-12-08T03:00")
    assert latest_slot(beijing("2026-12-08T07:00"), 0) == beijing("2026-12-08T00:00")


def test_a_job_runs_when_due_and_not_twice(db_url: str) -> None:
    calls: list[datetime] = []
    job, clock = counting_job(calls), Clock(beijing("2026-12-08T10:00"))
    assert run_due(db_url, [job], clock) == ["counting"]  # never ran: today's 03:00 is due
    assert run_due(db_url, [job], clock) == []
    clock.now = beijing("2026-12-09T02:59")
    assert run_due(db_url, [job], clock) == []  # tomorrow's 03:00 has not come
    clock.now = beijing("2026-12-09T03:00")
    assert run_due(db_url, [job], clock) == ["counting"]
    assert run_due(db_url, [job], clock) == []
    assert calls == [beijing("2026-12-08T10:00"), beijing("2026-12-09T03:00")]
    with session_scope(db_url) as s:
        row = s.get(JobRun, "counting")
        assert (row.outcome, row.last_slot.replace(tzinfo=UTC)) == ("run 2", beijing("2026-12-09T03:00"))
        assert row.finished_at is not None


def test_of_several_runners_exactly_one_takes_each_occurrence(db_url: str) -> None:
    slot, now = beijing("2026-12-08T03:00"), beijing("2026-12-08T03:00:05")
    start = threading.Barrier(4)
    taken: list[bool] = []

    def runner() -> None:
        start.wait()
        taken.append(claim(db_url, "race", slot, now))

    threads = [threading.Thread(target=runner) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == [False, False, False, True]
    assert not claim(db_url, "race", slot, now)
    assert claim(db_url, "race", slot + timedelta(days=1), now + timedelta(days=1))


def test_a_failed_job_is_recorded_and_waits_for_its_next_occurrence(db_url: str) -> None:
    attempts: list[datetime] = []

    def fail(now: datetime) -> str:
        attempts.append(now)
        raise ValueError("王小明 13800138000")  # a message may carry personal data: never recorded

    job, clock = Job("failing", 3, fail), Clock(beijing("2026-12-08T04:00"))
    assert run_due(db_url, [job], clock) == ["failing"]
    assert run_due(db_url, [job], clock) == []
    with session_scope(db_url) as s:
        assert s.get(JobRun, "failing").outcome == "failed: ValueError"
    clock.now = beijing("2026-12-09T03:30")
    assert run_due(db_url, [job], clock) == ["failing"] and len(attempts) == 2


def test_run_forever_polls_until_stopped(db_url: str) -> None:
    calls: list[datetime] = []
    clock = Clock(beijing("2026-12-08T01:00"))
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.now += timedelta(seconds=seconds)

    stop = lambda: clock.now >= beijing("2026-12-09T05:00")  # noqa: E731
    run_forever(db_url, [counting_job(calls)], 600, stop, clock, sleep)
    # Never ran before: the first look (01:00) runs yesterday's occurrence; then 03:00 today, and nothing more.
    assert calls[0] == beijing("2026-12-08T01:00")
    assert len(calls) == 3 and beijing("2026-12-08T03:00") <= calls[1] < beijing("2026-12-08T03:11")
    assert beijing("2026-12-09T03:00") <= calls[2] < beijing("2026-12-09T03:11")
    assert max(sleeps) == 1.0  # short steps, so a stop request is seen within a second


def test_the_retention_job_runs_retention_on_the_configured_database(db_url: str) -> None:
    with session_scope(db_url) as s:
        add_orgs(s)
        referral = add_referral(s, PiiCipher(get_settings().secret_key), "k", now=beijing("2020-01-01T09:00"))
        referral.status = "withdrawn"
    (job,) = default_jobs(get_settings())
    assert (job.name, job.hour) == ("retention", 3)
    assert run_due(db_url, [job], Clock(beijing("2026-12-08T03:00"))) == ["retention"]
    with session_scope(db_url) as s:
        (row,) = s.execute(select(Referral)).scalars().all()
        assert row.anonymised_at is not None and row.phone_enc == ""
        assert s.get(JobRun, "retention").outcome.startswith("1 referrals anonymised")


def test_bot_run_supervises_the_job_runner_without_a_port(tmp_path) -> None:
    settings = Settings()
    plan = {s.name: s for s in services(settings, tmp_path / "model.tar.gz")}
    runner = plan["job runner"]
    assert runner.command[-3:] == ["bot", "jobs", "run"] and runner.port is None

    class Alive:
        def poll(self) -> None:
            return None

    class Exited:
        def poll(self) -> int:
            return 1

    deadline = 0.0  # no waiting: a portless service is healthy while its process runs
    assert wait_healthy(Service("x", [], None, "", "", Alive()), "127.0.0.1", deadline)  # type: ignore[arg-type]
    assert not wait_healthy(Service("x", [], None, "", "", Exited()), "127.0.0.1", deadline)  # type: ignore[arg-type]


@pytest.mark.parametrize("hour", ["24", "-1"])
def test_retention_hour_must_be_an_hour(hour: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETENTION_HOUR", hour)
    with pytest.raises(ValueError, match="RETENTION_HOUR"):
        Settings()
