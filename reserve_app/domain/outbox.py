"""Outbox delivery rules: statuses and retry schedule."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from .errors import InvalidTransition


class MessageStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


ALLOWED: dict[MessageStatus, frozenset[MessageStatus]] = {
    MessageStatus.PENDING: frozenset({MessageStatus.PENDING, MessageStatus.SENT,
                                      MessageStatus.FAILED}),
    MessageStatus.SENT: frozenset(),
    MessageStatus.FAILED: frozenset({MessageStatus.PENDING}),
}


def transition(current: MessageStatus, new: MessageStatus) -> MessageStatus:
    if new not in ALLOWED[current]:
        raise InvalidTransition(current, new)
    return new


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the n-th failed attempt: 30 s, 60 s, 120 s ... capped at 1 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def after_failure(
    *, attempts: int, max_attempts: int, now: datetime
) -> tuple[MessageStatus, datetime | None]:
    """Status and next try time after `attempts` failed deliveries."""
    if attempts >= max_attempts:
        return MessageStatus.FAILED, None
    return MessageStatus.PENDING, now + retry_delay(attempts)
