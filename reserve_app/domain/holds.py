"""Hoarding rules: how many unpaid holds a customer may keep, and when a hold expires.

A booking that holds a unit without a paid invoice, an appointment request waiting for
staff and a shop order waiting to be accepted each keep something from everyone else. A
customer may keep only so many at once, and an unpaid booking or an order nobody accepted
gives its unit or stock back after a number of hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from .billing import InvoiceStatus, PaymentStatus
from .errors import DomainError

# Payments that took or hold money: a booking with one of them is not an unpaid hold.
MONEY_TAKEN = frozenset({PaymentStatus.AUTHORISED.value, PaymentStatus.APPROVED.value,
                         PaymentStatus.REFUNDED.value})


def check_limit(held: int, limit: int, *, key: str) -> None:
    """Refuse one more hold when the customer already keeps `limit` of them (0: no limit)."""
    if limit and held >= limit:
        raise DomainError(key, limit=limit)


def cutoff(now: datetime, hours: int) -> datetime | None:
    """Holds made before this moment have expired; None when holds never expire (0 h)."""
    return now - timedelta(hours=hours) if hours > 0 else None


def expired(created_at: datetime, now: datetime, hours: int) -> bool:
    """The hold made at `created_at` has outlived its `hours` (never, with 0)."""
    limit = cutoff(now, hours)
    return limit is not None and created_at <= limit


def unpaid(payment_statuses: Iterable[str], invoice_status: str | None) -> bool:
    """No money was taken or is held for the order ("" / None: no invoice yet)."""
    return (invoice_status != InvoiceStatus.PAID
            and not any(s in MONEY_TAKEN for s in payment_statuses))
