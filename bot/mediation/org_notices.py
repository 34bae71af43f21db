"""Telling mediation organizations: the outbox written with each change, and the worker that delivers it (log or a
signed webhook), retrying with backoff and giving up after a limit. A notice carries no name and no phone."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import OrgNotice, Referral
from bot.db.session import session_scope
from bot.yamlfile import read_yaml

logger = logging.getLogger(__name__)

EVENTS = ("created", "transferred_in", "withdrawn")
SIGNATURE_HEADER = "X-QY-Signature"  # sha256=<hex HMAC-SHA256 of the body with the shared secret>
KEY_HEADER = "X-QY-Idempotency-Key"  # the same for every delivery of one notice: the receiver drops repeats
# A notice claimed longer ago than this is another worker's to take over (its worker died mid-delivery); one try
# is bounded by the webhook timeout, far below it.
SENDING_LEASE = timedelta(minutes=2)
BATCH = 20


@dataclass(frozen=True)
class DeliverySettings:
    """Where notices go: ``log`` (development) or ``webhook`` (POST of JSON, HMAC-signed), per organization or by
    default; how often to retry; and the console's public address for the link."""

    default_channel: str = "log"
    webhook_url: str = ""
    webhook_secret: str = ""
    per_org: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # org id → (channel, url)
    max_attempts: int = 6
    backoff_seconds: float = 30.0
    timeout_seconds: float = 10.0
    console_url: str = "http://127.0.0.1:8000/console"

    @classmethod
    def from_settings(cls, settings: Any) -> DeliverySettings:
        """The settings' defaults, with per-organization channels from knowledge/orgs/notify.yml when it exists."""
        path = settings.knowledge_dir / "orgs" / "notify.yml"
        raw = (read_yaml(path) or {}) if path.exists() else {}
        per_org = {
            str(org): (str(item.get("channel", "webhook")), str(item.get("url", "")))
            for org, item in (raw.get("organizations") or {}).items()
        }
        return cls(
            default_channel=settings.org_notify_channel,
            webhook_url=settings.org_webhook_url,
            webhook_secret=settings.org_webhook_secret,
            per_org=per_org,
            max_attempts=settings.org_notify_max_attempts,
            backoff_seconds=settings.org_notify_backoff_seconds,
            console_url=settings.console_public_url or f"http://127.0.0.1:{settings.web_port}/console",
        )

    def target(self, org_id: str) -> tuple[str, str]:
        """(channel, URL) for one organization: its own from knowledge/orgs/notify.yml, else the defaults."""
        return self.per_org.get(org_id, (self.default_channel, self.webhook_url))


class DeliveryFailed(Exception):
    """One try failed; ``code`` is short and holds no personal data (http_503, network, no_url…)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def enqueue(session: Session, referral: Referral, org_id: str, event: str, now: datetime) -> OrgNotice:
    """Add a notice to the caller's transaction: it exists exactly when the change it reports was committed."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    notice = OrgNotice(
        key=secrets.token_hex(16),
        referral_id=referral.id,
        org_id=org_id,
        event=event,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(notice)
    return notice


def payload(notice: OrgNotice, console_url: str) -> dict[str, Any]:
    """What an organization is told: the reference, the event, the organization, the dispute type, the place and a
    console link. Never the applicant's name, phone or story."""
    referral = notice.referral
    return {
        "key": notice.key,
        "event": notice.event,
        "reference": referral.reference,
        "org_id": notice.org_id,
        "dispute_type": referral.dispute_type,
        "place": referral.place_text,
        "status": referral.status,
        "created_at": referral.created_at.isoformat() if referral.created_at else None,
        "console_link": f"{console_url.rstrip('/')}/referrals/{referral.reference}",
    }


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for a body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str) -> bool:
    """What a receiver checks: the header is the body's signature with the shared secret."""
    return hmac.compare_digest(sign(body, secret), header or "")


def send_webhook(url: str, secret: str, key: str, data: dict[str, Any], timeout: float) -> None:
    """POST the notice as UTF-8 JSON, signed; any answer but 2xx is a failed try."""
    if not url:
        raise DeliveryFailed("no_url")
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            KEY_HEADER: key,
            SIGNATURE_HEADER: sign(body, secret),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if not 200 <= response.status < 300:
                raise DeliveryFailed(f"http_{response.status}")
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"http_{error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError):
        raise DeliveryFailed("network") from None


def send(notice_data: dict[str, Any], channel: str, url: str, settings: DeliverySettings) -> None:
    """One try on the organization's channel."""
    if channel == "log":
        logger.info(
            "org notice %s: %s %s → %s",
            notice_data["key"],
            notice_data["event"],
            notice_data["reference"],
            notice_data["org_id"],
        )
        return
    if channel == "webhook":
        send_webhook(url, settings.webhook_secret, notice_data["key"], notice_data, settings.timeout_seconds)
        return
    raise DeliveryFailed("bad_channel")


def _claim(url: str, now: datetime) -> list[int]:
    """Take up to BATCH due notices (pending and due, or sending under a lapsed claim) for this worker."""
    due = or_(
        and_(OrgNotice.status == "pending", OrgNotice.next_attempt_at <= now),
        and_(OrgNotice.status == "sending", OrgNotice.claimed_at < now - SENDING_LEASE),
    )
    taken = []
    with session_scope(url) as session:
        ids = session.execute(select(OrgNotice.id).where(due).order_by(OrgNotice.id).limit(BATCH)).scalars()
        for notice_id in list(ids):
            result = session.execute(
                update(OrgNotice)
                .where(OrgNotice.id == notice_id, due)
                .values(status="sending", claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount:  # not taken by another worker meanwhile
                taken.append(notice_id)
    return taken


def _finish(
    url: str, notice_id: int, now: datetime, settings: DeliverySettings, error: str | None, channel: str
) -> str:
    with session_scope(url) as session:
        notice = session.get(OrgNotice, notice_id)
        notice.attempts += 1
        notice.channel = channel
        notice.claimed_at = None
        if error is None:
            notice.status, notice.sent_at, notice.last_error = "sent", now, None
        elif notice.attempts >= settings.max_attempts:
            notice.status, notice.last_error = "failed", error
            logger.warning("org notice %s given up after %d tries (%s)", notice.key, notice.attempts, error)
        else:
            delay = settings.backoff_seconds * 2 ** (notice.attempts - 1)
            notice.status, notice.last_error = "pending", error
            notice.next_attempt_at = now + timedelta(seconds=delay)
        return str(notice.status)


def deliver_due(
    url: str,
    settings: DeliverySettings,
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    sender: Callable[[dict[str, Any], str, str, DeliverySettings], None] = send,
) -> dict[str, int]:
    """One pass of the worker: claim the due notices, try each once, record the outcome. Counts by outcome."""
    counts = {"sent": 0, "pending": 0, "failed": 0}
    for notice_id in _claim(url, clock()):
        with session_scope(url) as session:
            notice = session.get(OrgNotice, notice_id)
            data = payload(notice, settings.console_url)
            channel, target = settings.target(notice.org_id)
        error = None
        try:
            sender(data, channel, target, settings)
        except DeliveryFailed as failed:
            error = failed.code
        counts[_finish(url, notice_id, clock(), settings, error, channel)] += 1
    return counts
