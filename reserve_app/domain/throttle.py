"""Login throttling: too many failures for one account in a window locks further attempts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def locked_until(
    failures: Sequence[datetime], *, now: datetime, max_failures: int, window: timedelta
) -> datetime | None:
    """When the account unlocks, or None if it may try now.

    `failures` are the failed attempts since the last success. The account is locked while
    `max_failures` of them fall inside the window ending now; it unlocks when the oldest of
    the last `max_failures` leaves the window.
    """
    recent = sorted(t for t in failures if now - window < t <= now)
    if len(recent) < max_failures:
        return None
    return recent[-max_failures] + window
