"""Outbox: emails recorded with the change that causes them, delivered by SMTP when set.

`record_email` only adds a row to the caller's session: it commits with the use case or not
at all. `deliver_due` claims due messages (a lease stops two workers sending one twice),
sends them, and records every attempt.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import anyio
from sqlmodel import Session, col, func, select

from reserve_app.domain import outbox as rules
from reserve_app.domain.accounts import Actor, require_staff
from reserve_app.i18n import translate
from reserve_app.models import DeliveryAttempt, OutboxMessage
from reserve_app.models.base import utcnow
from reserve_app.services import uow
from reserve_app.settings import Settings, get_settings

LEASE = timedelta(minutes=5)
PAGE_SIZE = 20

Sender = Callable[[EmailMessage], Awaitable[None]]


def record_email(
    session: Session, *, to: str, kind: str, language: str, **params: object
) -> OutboxMessage:
    params.setdefault("business", get_settings().business_name)
    params.setdefault("app_url", get_settings().app_url)
    message = OutboxMessage(
        kind=kind, to_email=to,
        subject=translate(language, f"email.{kind}.subject", **params)[:255],
        body=translate(language, f"email.{kind}.body", **params),
    )
    session.add(message)
    return message


@dataclass(frozen=True)
class OutboxView:
    id: int
    created_at: datetime
    to_email: str
    subject: str
    body: str
    status: str
    attempts: int
    last_error: str


def list_messages(
    session: Session, *, actor: Actor | None, page: int = 1
) -> tuple[list[OutboxView], int]:
    """A page of the outbox, newest first, and the total count. Staff only."""
    require_staff(actor)
    page = max(1, page)
    total = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    rows = session.exec(
        select(OutboxMessage).order_by(col(OutboxMessage.id).desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    views = [OutboxView(m.id or 0, m.created_at, m.to_email, m.subject, m.body, m.status,
                        m.attempts, m.last_error) for m in rows]
    return views, int(total)


def _claim(now: datetime, limit: int) -> list[tuple[int, EmailMessage]]:
    settings = get_settings()
    with uow.write_session() as session:
        query = (select(OutboxMessage)
                 .where(OutboxMessage.status == rules.MessageStatus.PENDING,
                        col(OutboxMessage.next_attempt_at) <= now)
                 .order_by(col(OutboxMessage.id)).limit(limit))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for message in session.exec(query).all():
            message.next_attempt_at = now + LEASE
            email = EmailMessage()
            email["From"] = settings.smtp_from
            email["To"] = message.to_email
            email["Subject"] = message.subject
            email["Message-ID"] = f"<outbox-{message.id}@reserve-app>"
            email.set_content(message.body)
            claimed.append((message.id or 0, email))
        session.flush()
        return claimed


def _finish(message_id: int, *, ok: bool, error: str, now: datetime) -> None:
    settings = get_settings()
    with uow.write_session() as session:
        message = session.get(OutboxMessage, message_id)
        if message is None:
            return
        message.attempts += 1
        session.add(DeliveryAttempt(message_id=message_id, at=now, ok=ok, error=error[:500]))
        if ok:
            message.status = rules.transition(rules.MessageStatus(message.status),
                                              rules.MessageStatus.SENT)
            message.sent_at = now
            message.next_attempt_at = None
            message.last_error = ""
        else:
            status, next_at = rules.after_failure(attempts=message.attempts,
                                                  max_attempts=settings.outbox_max_attempts,
                                                  now=now)
            message.status = rules.transition(rules.MessageStatus(message.status), status)
            message.next_attempt_at = next_at
            message.last_error = error[:500]
        session.flush()


def smtp_sender(settings: Settings) -> Sender:
    import aiosmtplib

    async def send(email: EmailMessage) -> None:
        await aiosmtplib.send(
            email, hostname=settings.smtp_host, port=settings.smtp_port,
            username=settings.smtp_username or None, password=settings.smtp_password or None,
            start_tls=settings.smtp_starttls, timeout=30,
        )

    return send


async def deliver_due(*, sender: Sender | None = None, now: datetime | None = None,
                      limit: int = 50) -> tuple[int, int]:
    """Send the messages that are due. Returns (sent, failed attempts)."""
    settings = get_settings()
    if sender is None:
        if not settings.smtp_enabled:
            return 0, 0
        sender = smtp_sender(settings)
    start = now or utcnow()
    claimed = await anyio.to_thread.run_sync(_claim, start, limit)
    sent = failed = 0
    for message_id, email in claimed:
        error = ""
        try:
            await sender(email)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
            error = f"{type(exc).__name__}: {exc}"
        ok = not error
        sent += ok
        failed += not ok
        await anyio.to_thread.run_sync(functools.partial(
            _finish, message_id, ok=ok, error=error, now=now or utcnow()))
    return sent, failed


async def run_deliverer() -> None:
    """Lifespan task: poll the outbox while the app runs (only when SMTP_HOST is set)."""
    import logging

    settings = get_settings()
    if not settings.smtp_enabled:
        return
    log = logging.getLogger("reserve_app.outbox")
    while True:
        try:
            await deliver_due()
        except Exception:  # noqa: BLE001
            log.exception("outbox delivery round failed")
        await anyio.sleep(settings.outbox_poll_seconds)
