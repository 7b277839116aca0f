"""Outbox delivery through a real SMTP server (aiosmtpd on a free localhost port)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from reserve_app.domain.accounts import Role
from reserve_app.domain.errors import Forbidden, Unauthenticated
from reserve_app.domain.outbox import retry_delay
from reserve_app.models import DeliveryAttempt, OutboxMessage
from reserve_app.models.base import utcnow
from reserve_app.services import uow
from reserve_app.services.platform import outbox

from .helpers import add_user, configure, count, register, rows


class Recorder:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.port = 0
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    """A running SMTP server; the app's SMTP settings point at it."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=_free_port())
    controller.start()
    recorder.port = controller.port
    configure(monkeypatch, SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    try:
        yield recorder
    finally:
        controller.stop()


@pytest.fixture
def dead_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """SMTP settings pointing at a port that is bound but not listening: refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        configure(monkeypatch, SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        yield port


def _message() -> OutboxMessage:
    (message,) = rows(OutboxMessage)
    return message


async def test_welcome_email_is_delivered_once(smtp: Recorder) -> None:
    register(name="Zoë Example", email="zoe@example.com")

    assert await outbox.deliver_due() == (1, 0)

    assert len(smtp.received) == 1
    recipients, message = smtp.received[0]
    assert recipients == ["zoe@example.com"]
    assert message["To"] == "zoe@example.com"
    assert message["From"] == "Test Shop <no-reply@test.example>"
    assert message["Subject"] == "Welcome to Test Shop"
    assert "Zoë Example" in message.get_content()

    row = _message()
    assert (row.status, row.attempts, row.next_attempt_at, row.last_error) == (
        "sent", 1, None, "")
    assert row.sent_at is not None
    attempts = rows(DeliveryAttempt)
    assert [(a.message_id, a.ok, a.error) for a in attempts] == [(row.id, True, "")]

    assert await outbox.deliver_due() == (0, 0)
    assert await outbox.deliver_due(now=utcnow() + timedelta(days=30)) == (0, 0)
    assert len(smtp.received) == 1
    assert count(DeliveryAttempt) == 1


async def test_two_deliverers_at_once_send_each_message_once(smtp: Recorder) -> None:
    register(name="Ann", email="ann@example.com")
    register(name="Ben", email="ben@example.com")

    results = await asyncio.gather(outbox.deliver_due(), outbox.deliver_due())

    assert sum(sent for sent, _ in results) == 2
    assert sorted(r for r, _ in smtp.received) == [["ann@example.com"], ["ben@example.com"]]
    assert count(DeliveryAttempt) == 2


async def test_failed_delivery_is_recorded_and_retried_with_backoff(dead_smtp: int) -> None:
    register(name="Fay", email="fay@example.com")
    now = utcnow() + timedelta(seconds=1)

    assert await outbox.deliver_due(now=now) == (0, 1)

    row = _message()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == now + retry_delay(1)
    assert row.next_attempt_at > now
    (attempt,) = rows(DeliveryAttempt)
    assert attempt.ok is False
    assert attempt.error and attempt.error == row.last_error
    # Not due again before the back-off has passed.
    assert await outbox.deliver_due(now=now + retry_delay(1) - timedelta(seconds=1)) == (0, 0)
    assert count(DeliveryAttempt) == 1


async def test_delivery_gives_up_after_the_maximum_attempts(dead_smtp: int,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    configure(monkeypatch, OUTBOX_MAX_ATTEMPTS=3)
    register(name="Gus", email="gus@example.com")
    now = utcnow() + timedelta(seconds=1)

    for attempt in (1, 2):
        assert await outbox.deliver_due(now=now) == (0, 1)
        row = _message()
        assert (row.status, row.attempts) == ("pending", attempt)
        assert row.next_attempt_at - now == retry_delay(attempt)
        now = row.next_attempt_at

    assert await outbox.deliver_due(now=now) == (0, 1)
    row = _message()
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 3, None)
    assert [a.ok for a in rows(DeliveryAttempt)] == [False, False, False]
    assert await outbox.deliver_due(now=now + timedelta(days=1)) == (0, 0)


async def test_message_is_sent_when_the_server_comes_back(smtp: Recorder,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    register(name="Hal", email="hal@example.com")
    now = utcnow() + timedelta(seconds=1)
    with socket.socket() as sock:  # first try: nothing listens
        sock.bind(("127.0.0.1", 0))
        configure(monkeypatch, SMTP_PORT=sock.getsockname()[1])
        assert await outbox.deliver_due(now=now) == (0, 1)
    configure(monkeypatch, SMTP_PORT=smtp.port)

    assert await outbox.deliver_due(now=now + retry_delay(1)) == (1, 0)

    row = _message()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert [a.ok for a in rows(DeliveryAttempt)] == [False, True]
    assert [r for r, _ in smtp.received] == [["hal@example.com"]]


async def test_without_smtp_host_nothing_is_sent() -> None:
    register(name="Ida", email="ida@example.com")
    assert await outbox.deliver_due() == (0, 0)
    row = _message()
    assert (row.status, row.attempts) == ("pending", 0)
    assert count(DeliveryAttempt) == 0


def _add_messages(n: int) -> None:
    with uow.write_session() as session:
        for i in range(n):
            outbox.record_email(session, to=f"user{i}@example.com", kind="welcome",
                                language="en", name=f"User {i}")
        session.commit()


@pytest.mark.parametrize(("who", "error"), [(None, Unauthenticated), (Role.CUSTOMER, Forbidden)])
def test_only_staff_may_read_the_outbox(who: Role | None, error: type[Exception]) -> None:
    _add_messages(1)
    actor = add_user("Cleo", "cleo@example.com", who) if who else None
    with uow.read_session() as session, pytest.raises(error):
        outbox.list_messages(session, actor=actor)


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_outbox_pages_newest_first(role: Role) -> None:
    actor = add_user("Stan", "stan@example.com", role)
    total = outbox.PAGE_SIZE + 5
    _add_messages(total)

    with uow.read_session() as session:
        first, n1 = outbox.list_messages(session, actor=actor, page=1)
        second, n2 = outbox.list_messages(session, actor=actor, page=2)
        beyond, n3 = outbox.list_messages(session, actor=actor, page=3)
        clamped, _ = outbox.list_messages(session, actor=actor, page=0)

    assert n1 == n2 == n3 == total
    assert len(first) == outbox.PAGE_SIZE and len(second) == 5 and beyond == []
    ids = [v.id for v in first + second]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == total
    assert first[0].to_email == f"user{total - 1}@example.com"
    assert (first[0].subject, first[0].status, first[0].attempts) == (
        "Welcome to Test Shop", "pending", 0)
    assert [v.id for v in clamped] == [v.id for v in first]
