"""The background sweep that expires unpaid holds (rentals.expiry, shop.expiry).

Each hold is expired in its own unit of work, so one that fails (or loses its race to a
payment or a staff member) leaves the others alone.
"""

from __future__ import annotations

import logging
from datetime import datetime

import anyio

from reserve_app.models.base import utcnow
from reserve_app.services import uow
from reserve_app.services.rentals import expiry as rental_expiry
from reserve_app.services.shop import expiry as shop_expiry
from reserve_app.settings import get_settings

log = logging.getLogger("reserve_app.holds")


def sweep(now: datetime | None = None) -> tuple[int, int]:
    """Expire what is due; returns (bookings cancelled, shop orders cancelled)."""
    now = now or utcnow()
    counts = [0, 0]
    for n, (due, expire) in enumerate([(rental_expiry.due, rental_expiry.expire_booking),
                                       (shop_expiry.due, shop_expiry.expire_order)]):
        with uow.reading() as session:
            ids = due(session, now=now)
        for order_id in ids:
            try:
                counts[n] += bool(uow.run_write(expire, order_id=order_id, now=now))
            except Exception:  # noqa: BLE001 - one failure must not stop the sweep
                log.exception("expiring hold %s failed", order_id)
    return counts[0], counts[1]


async def run_expiry() -> None:
    """Lifespan task: sweep every HOLD_SWEEP_SECONDS while the app runs."""
    settings = get_settings()
    if not (settings.booking_hold_hours or settings.shop_order_hold_hours):
        return
    while True:
        try:
            bookings, orders = await anyio.to_thread.run_sync(sweep)
            if bookings or orders:
                log.info("expired %d unpaid bookings, %d unaccepted shop orders",
                         bookings, orders)
        except Exception:  # noqa: BLE001
            log.exception("hold expiry round failed")
        await anyio.sleep(settings.hold_sweep_seconds)
