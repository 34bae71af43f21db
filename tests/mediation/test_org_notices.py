"""Organizations are told reliably: the outbox is written with the change, a signed webhook is retried with backoff
until it answers, a worker dying mid-delivery loses nothing, and repeats carry the same key for the receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import Organization, OrgNotice, Referral
from bot.db.session import session_scope
from bot.mediation import org_notices
from bot.mediation.org_notices import DeliverySettings, deliver_due, sign, verify
from bot.mediation.statuses import Statuses
from bot.mediation.workflow import change_status
from bot.privacy import PiiCipher
from bot.settings import get_settings
from tests.mediation.referral_factory import ORG_A, ORG_B, PHONE, T0, add_orgs, application
from tests.paths import KNOWLEDGE

SECRET = "test-shared-secret-for-the-receiver"
STATUSES = Statuses.load(KNOWLEDGE)


class Receiver:
    """A local organization system: fails its first ``failures`` requests with 503, checks each signature, and
    keeps a notice once per idempotency key (dropping repeats, as the README asks receivers to)."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.requests: list[dict[str, Any]] = []
        self.kept: dict[str, dict[str, Any]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                signed = verify(body, SECRET, self.headers.get(org_notices.SIGNATURE_HEADER, ""))
                key = self.headers.get(org_notices.KEY_HEADER, "")
                receiver.requests.append({"key": key, "signed": signed, "body": json.loads(body)})
                if receiver.failures > 0:
                    receiver.failures -= 1
                    self.send_response(503)
                elif not signed:
                    self.send_response(401)
                else:
                    receiver.kept.setdefault(key, json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/notices"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=2)
    yield server
    server.close()


def _settings(url: str, **changes: Any) -> DeliverySettings:
    base = DeliverySettings(
        default_channel="webhook", webhook_url=url, webhook_secret=SECRET, max_attempts=4, backoff_seconds=30
    )
    return DeliverySettings(**{**base.__dict__, **changes})


def _create(db_url: str, key: str = "conv-1") -> str:
    from bot.mediation.referrals import create_referral

    with session_scope(db_url) as s:
        if s.get(Organization, ORG_A) is None:
            add_orgs(s)
        referral, _ = create_referral(
            s, application(key), ORG_A, "原因", PiiCipher.from_settings(get_settings()), T0
        )
        return str(referral.reference)


def _notices(db_url: str) -> list[OrgNotice]:
    with session_scope(db_url) as s:
        rows = list(s.execute(select(OrgNotice).order_by(OrgNotice.id)).scalars())
        s.expunge_all()
        return rows


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def test_a_new_referral_writes_its_notice_in_the_same_transaction(db_url: str) -> None:
    reference = _create(db_url)
    (notice,) = _notices(db_url)
    assert (notice.org_id, notice.event, notice.status) == (ORG_A, "created", "pending")
    with pytest.raises(RuntimeError), session_scope(db_url) as s:  # a change rolled back leaves no notice
        from bot.mediation.referrals import create_referral

        create_referral(s, application("conv-2"), ORG_A, "原因", PiiCipher.from_settings(get_settings()), T0)
        raise RuntimeError("the request failed after the referral was written")
    assert len(_notices(db_url)) == 1 and reference


def test_transfer_and_withdrawal_tell_the_organization_concerned(db_url: str) -> None:
    reference = _create(db_url)
    with session_scope(db_url) as s:
        referral = s.execute(select(Referral).where(Referral.reference == reference)).scalar_one()
        change_status(s, STATUSES, referral, "transferred", "mediator_a", "", T0, ORG_B)
    with session_scope(db_url) as s:
        referral = s.execute(select(Referral).where(Referral.reference == reference)).scalar_one()
        change_status(s, STATUSES, referral, "withdrawn", "mediator_b", "", T0)
    assert [(n.org_id, n.event) for n in _notices(db_url)] == [
        (ORG_A, "created"),
        (ORG_B, "transferred_in"),
        (ORG_B, "withdrawn"),
    ]


def test_a_failing_receiver_gets_the_notice_after_backoff_once(db_url: str, receiver: Receiver) -> None:
    reference = _create(db_url)
    clock = Clock(T0)
    settings = _settings(receiver.url)
    assert deliver_due(db_url, settings, clock) == {"sent": 0, "pending": 1, "failed": 0}
    assert deliver_due(db_url, settings, clock)["pending"] == 0  # not due again before its backoff (30 s)
    clock.now += timedelta(seconds=31)
    assert deliver_due(db_url, settings, clock)["pending"] == 1  # second failure: next try after 60 s
    clock.now += timedelta(seconds=59)
    assert deliver_due(db_url, settings, clock) == {"sent": 0, "pending": 0, "failed": 0}
    clock.now += timedelta(seconds=2)
    assert deliver_due(db_url, settings, clock)["sent"] == 1
    (notice,) = _notices(db_url)
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 3, None)
    assert [r["key"] for r in receiver.requests] == [notice.key] * 3  # one key for every try
    assert all(r["signed"] for r in receiver.requests)
    (kept,) = receiver.kept.values()
    assert kept["reference"] == reference and kept["event"] == "created" and kept["org_id"] == ORG_A
    assert kept["console_link"].endswith(f"/console/referrals/{reference}")
    text = json.dumps(kept, ensure_ascii=False)
    assert PHONE not in text and "王小明" not in text and "楼上漏水" not in text  # no personal data


def test_a_worker_dying_mid_delivery_loses_nothing_and_the_repeat_is_dropped(
    db_url: str, receiver: Receiver
) -> None:
    receiver.failures = 0
    _create(db_url)
    clock = Clock(T0)
    settings = _settings(receiver.url)

    def deliver_then_die(data: dict[str, Any], channel: str, url: str, s: DeliverySettings) -> None:
        org_notices.send(data, channel, url, s)  # the receiver has it…
        raise KeyboardInterrupt  # …and the worker dies before recording that

    with pytest.raises(KeyboardInterrupt):
        deliver_due(db_url, settings, clock, sender=deliver_then_die)
    (notice,) = _notices(db_url)
    assert notice.status == "sending"
    assert deliver_due(db_url, settings, clock)["sent"] == 0  # another worker leaves a fresh claim alone
    clock.now += org_notices.SENDING_LEASE + timedelta(seconds=1)
    assert deliver_due(db_url, settings, clock)["sent"] == 1  # …and takes over a lapsed one
    assert len(receiver.requests) == 2 and len(receiver.kept) == 1  # delivered twice, kept once
    assert _notices(db_url)[0].status == "sent"


def test_a_notice_is_given_up_after_the_last_try(db_url: str) -> None:
    _create(db_url)
    clock = Clock(T0)
    settings = _settings("http://127.0.0.1:9/unreachable", max_attempts=2, backoff_seconds=1)
    deliver_due(db_url, settings, clock)
    clock.now += timedelta(seconds=2)
    assert deliver_due(db_url, settings, clock)["failed"] == 1
    (notice,) = _notices(db_url)
    assert (notice.status, notice.attempts, notice.last_error) == ("failed", 2, "network")
    clock.now += timedelta(days=1)
    assert deliver_due(db_url, settings, clock) == {"sent": 0, "pending": 0, "failed": 0}


def test_the_log_channel_is_the_default_and_sends_at_once(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    reference = _create(db_url)
    with caplog.at_level("INFO", logger="bot.mediation.org_notices"):
        assert deliver_due(db_url, DeliverySettings(), Clock(T0))["sent"] == 1
    assert reference in caplog.text and PHONE not in caplog.text


def test_a_signature_is_checked_against_the_body() -> None:
    body = json.dumps({"reference": "QY-1"}).encode()
    header = sign(body, SECRET)
    assert header.startswith("sha256=") and verify(body, SECRET, header)
    assert not verify(body + b" ", SECRET, header)
    assert not verify(body, "another-secret", header)
    assert not verify(body, SECRET, "")


def test_per_organization_channels_come_from_the_directory_file(tmp_path: Any) -> None:
    (tmp_path / "orgs").mkdir()
    (tmp_path / "orgs" / "notify.yml").write_text(
        "organizations:\n  T-A: {channel: webhook, url: 'https://a.example/notices'}\n", encoding="utf-8"
    )
    from types import SimpleNamespace

    base = get_settings()
    fields = {name: getattr(base, name) for name in base.__fields__}
    settings = SimpleNamespace(**{**fields, "knowledge_dir": tmp_path, "org_notify_channel": "log"})
    delivery = DeliverySettings.from_settings(settings)
    assert delivery.target("T-A") == ("webhook", "https://a.example/notices")
    assert delivery.target("T-B") == ("log", base.org_webhook_url)
    assert delivery.console_url == f"http://127.0.0.1:{base.web_port}/console"
