"""Status notices for WeChat applicants: the outbox, WeChat's 48-hour window, pushing and showing notices."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cryptography.fernet import InvalidToken
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Notification, Referral, WeChatContact
from bot.db.session import session_scope
from bot.mediation.statuses import Statuses
from bot.privacy import PiiCipher, sender_hashes
from bot.yamlfile import read_yaml

logger = logging.getLogger(__name__)

T = TypeVar("T")
PUSHED_CHANNELS = frozenset({"wechat"})  # web applicants see their status through the status query
# WeChat accepts customer-service messages this long after the user's last message.
CS_WINDOW = timedelta(hours=48)
WINDOW_MARGIN = timedelta(minutes=10)  # clocks differ; do not push in the window's last minutes
BATCH = 50
# A claimed notice is another dispatcher's to take over (another Rasa server's, or this one's after a restart)
# only once its claim is this old. The claim is renewed before each try, and one try, with every retry of the
# API client, takes well under a minute: a notice being sent is never taken over, so never sent twice.
SENDING_LEASE = timedelta(minutes=5)
SHOWABLE = ("pending", "failed")  # a push given up on is still shown on the citizen's next message


class TextSender(Protocol):
    """What sends a customer-service text (bot.channels.wechat.client.WeChatClient)."""

    @property
    def configured(self) -> bool: ...

    async def send_text(self, openid: str, content: str) -> None: ...


@dataclass(frozen=True)
class NoticeTexts:
    """The notice's wording (knowledge/messages.yml) and the status labels (knowledge/mediation/statuses.yml)."""

    template: str  # {reference} {status} {org}
    labels: Mapping[str, str]

    @classmethod
    def from_knowledge(cls, knowledge: Path) -> NoticeTexts:
        messages = read_yaml(knowledge / "messages.yml")
        return cls(template=messages["referral_status_notice"], labels=Statuses.load(knowledge).labels)

    def render(self, notification: Notification) -> str:
        referral = notification.referral
        status = self.labels.get(notification.referral_status, notification.referral_status)
        return self.template.format(
            reference=referral.reference, status=status, org=referral.organization.name
        )


@dataclass(frozen=True)
class Notice:
    """A notice taken to be shown in a reply."""

    id: int
    text: str


@dataclass(frozen=True)
class Outgoing:
    """A claimed notice, ready to push; ``attempts`` identifies this claim (a takeover counts one more)."""

    id: int
    openid: str
    text: str
    attempts: int


def enqueue(session: Session, referral: Referral, status: str, now: datetime) -> Notification | None:
    """Queue a notice for a WeChat applicant; a notice still pending for the referral is updated instead,
    so quick successive changes make one message. Other channels get none."""
    if referral.channel not in PUSHED_CHANNELS:
        return None
    query = select(Notification).where(
        Notification.referral_id == referral.id, Notification.status == "pending"
    )
    notification = session.execute(query).scalars().first()
    if notification is None:
        notification = Notification(referral_id=referral.id, status="pending", attempts=0, created_at=now)
        session.add(notification)
    notification.referral_status = status
    session.flush()
    return notification


def record_inbound(
    session: Session, openid: str, secret: str, now: datetime, previous: Sequence[str] = ()
) -> str:
    """Remember that this WeChat user just wrote (the OpenID encrypted); returns their sender_hash. After a key
    rotation, their referrals and contact made under a previous key move to the current key's hash."""
    key, *old = sender_hashes(openid, secret, previous)
    if old:
        session.execute(
            update(Referral)
            .where(Referral.sender_hash.in_(old))
            .values(sender_hash=key)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            delete(WeChatContact)
            .where(WeChatContact.sender_hash.in_(old))
            .execution_options(synchronize_session=False)
        )
    contact = session.get(WeChatContact, key)
    if contact is not None:
        contact.last_inbound_at = now
        return key
    savepoint = session.begin_nested()
    try:
        session.add(
            WeChatContact(
                sender_hash=key,
                openid_enc=PiiCipher(secret, previous).encrypt(openid),
                last_inbound_at=now,
            )
        )
        session.flush()
        savepoint.commit()
    except IntegrityError:  # the same user's other message got there first
        savepoint.rollback()
        session.execute(
            update(WeChatContact).where(WeChatContact.sender_hash == key).values(last_inbound_at=now)
        )
    return key


def _claim(session: Session, notification: Notification, status: str, **values: Any) -> bool:
    """Move a notice on from ``notification.status`` only if no one else did (shown vs pushed at once)."""
    result = session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.status == notification.status)
        .values(status=status, **values)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)


def take_for_reply(session: Session, key: str, texts: NoticeTexts, now: datetime) -> list[Notice]:
    """The notices not yet delivered to this applicant, marked shown (the caller prepends them to its reply)."""
    query = (
        select(Notification)
        .join(Referral, Notification.referral_id == Referral.id)
        .where(Referral.sender_hash == key, Referral.channel.in_(PUSHED_CHANNELS))
        .where(Notification.status.in_(SHOWABLE))
        .order_by(Notification.id)
    )
    return [
        Notice(n.id, texts.render(n))
        for n in session.execute(query).scalars().all()
        if _claim(session, n, "shown", shown_at=now)
    ]


def release(session: Session, ids: list[int]) -> None:
    """Notices taken for a reply that went out without them are pending again."""
    if ids:
        session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.status == "shown")
            .values(status="pending", shown_at=None)
            .execution_options(synchronize_session=False)
        )


def claim_due(
    session: Session, secret: str, texts: NoticeTexts, now: datetime, previous: Sequence[str] = ()
) -> list[Outgoing]:
    """Pending notices whose applicant wrote within the 48-hour window, marked "sending" (one attempt more). Each
    is claimed by an UPDATE that checks it is still pending, so two dispatchers never claim the same notice.
    Claims older than SENDING_LEASE (their dispatcher stopped mid-send) are pending again first."""
    reset_stale(session, now - SENDING_LEASE)
    query = (
        select(Notification, WeChatContact.openid_enc)
        .join(Referral, Notification.referral_id == Referral.id)
        .join(WeChatContact, WeChatContact.sender_hash == Referral.sender_hash)
        .where(Notification.status == "pending", Referral.channel.in_(PUSHED_CHANNELS))
        .where(WeChatContact.last_inbound_at >= now - CS_WINDOW + WINDOW_MARGIN)
        .order_by(Notification.id)
        .limit(BATCH)
    )
    cipher = PiiCipher(secret, previous)
    due = []
    for notification, openid_enc in session.execute(query).all():
        attempts = notification.attempts + 1
        if not _claim(session, notification, "sending", attempts=attempts, claimed_at=now):
            continue
        try:
            openid = cipher.decrypt(openid_enc)
        except InvalidToken:  # SECRET_KEY changed, old key dropped: it can only be shown on the next message
            _finish(session, notification.id, attempts, "undecryptable", now, max_attempts=0)
            continue
        due.append(Outgoing(notification.id, openid, texts.render(notification), attempts))
    return due


def renew(session: Session, item: Outgoing, now: datetime) -> bool:
    """Just before a try: extend this claim, or False if it lapsed and the notice was taken back (then skip it)."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.id == item.id,
            Notification.status == "sending",
            Notification.attempts == item.attempts,
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def _finish(
    session: Session,
    notification_id: int,
    attempts: int,
    error: str | None,
    now: datetime,
    max_attempts: int,
) -> None:
    """Record a try's outcome, unless the claim lapsed meanwhile (the notice is no longer this claim's)."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.status != "sending" or notification.attempts != attempts:
        return
    if error is None:
        notification.status, notification.sent_at, notification.last_error = "sent", now, None
        return
    notification.last_error = error[:20]
    notification.status = "failed" if notification.attempts >= max_attempts else "pending"


def reset_stale(session: Session, claimed_before: datetime) -> int:
    """Notices left "sending" by a dispatcher that stopped mid-send (claimed before ``claimed_before``) go back
    to pending. Never sooner: the dispatcher of another server may be sending them right now."""
    result = session.execute(
        update(Notification)
        .where(Notification.status == "sending")
        .where((Notification.claimed_at.is_(None)) | (Notification.claimed_at < claimed_before))
        .values(status="pending", claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def error_code(exc: BaseException) -> str:
    """A short code for the outbox (never the message text, which may carry an OpenID)."""
    errcode = getattr(exc, "errcode", None)
    return f"wx{errcode}" if isinstance(errcode, int) else type(exc).__name__[:20]


@dataclass(frozen=True)
class Outbox:
    """The outbox of one database, used from async code: every database call runs in a worker thread."""

    db_url: str
    secret: str
    texts: NoticeTexts
    max_attempts: int = 5
    previous: tuple[str, ...] = ()  # SECRET_KEY_PREVIOUS

    async def _run(self, work: Callable[..., T], *args: Any) -> T:
        def in_session() -> T:
            with session_scope(self.db_url) as session:
                return work(session, *args)

        return await asyncio.to_thread(in_session)

    async def inbound(self, openid: str, now: datetime) -> list[Notice]:
        """Record the user's message and take their undelivered notices, in one transaction."""

        def work(session: Session) -> list[Notice]:
            return take_for_reply(
                session, record_inbound(session, openid, self.secret, now, self.previous), self.texts, now
            )

        return await self._run(work)

    async def release(self, notices: list[Notice]) -> None:
        await self._run(release, [n.id for n in notices])

    async def dispatch_pending(self, sender: TextSender, now: datetime) -> tuple[int, int]:
        """Push the due notices; returns (sent, failed). Failures are retried on a later call until
        ``max_attempts``, then given up (still shown on the citizen's next message)."""
        if not sender.configured:
            return 0, 0
        due = await self._run(claim_due, self.secret, self.texts, now, self.previous)
        started = asyncio.get_running_loop().time()
        sent = failed = 0
        for item in due:
            elapsed = timedelta(seconds=asyncio.get_running_loop().time() - started)
            if not await self._run(renew, item, now + elapsed):
                logger.warning(
                    "status notices: a claim lapsed before its try; left to the dispatcher holding it"
                )
                continue
            error = None
            try:
                await sender.send_text(item.openid, item.text)
                sent += 1
            except Exception as exc:
                error, failed = error_code(exc), failed + 1
            await self._run(_finish, item.id, item.attempts, error, now, self.max_attempts)
        if due:
            logger.info("status notices: %d sent, %d failed", sent, failed)
        return sent, failed
