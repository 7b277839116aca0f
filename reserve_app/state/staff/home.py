"""Staff home page figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import reflex as rx

from reserve_app import live
from reserve_app.domain.errors import DomainError
from reserve_app.services.platform import live as live_events
from reserve_app.services.site import dashboard
from reserve_app.state import kit


class StaffHomeState(rx.State):
    customers: int = 0
    staff: int = 0
    emails_pending: int = 0
    emails_failed: int = 0
    bookings_today: int = 0
    bookings_pending: int = 0
    payments_waiting: int = 0
    requests_waiting: int = 0
    orders_open: int = 0
    orders_new: int = 0
    tickets_open: int = 0
    holds_old: int = 0

    @rx.event
    async def load(self):
        """Also runs on every (re)connect; the order figures then follow live."""
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "staff")) is not None:
            return elsewhere
        await live.subscribe(self, live_events.STAFF_ORDERS, actor)
        return await self._reload()

    # Read once per live round for every tab of this page (as a staff caller): batch.peek("home").
    SHARED_LOADS: ClassVar[dict[str, Callable[..., object]]] = {"home": dashboard.home_summary}

    async def _live(self, events: list, batch: live.Batch) -> None:
        await self._reload(batch)

    async def _reload(self, batch: live.Batch | None = None):
        batch = batch or live.Batch()
        actor = await live.caller(self, batch)
        try:  # every staff home open shows the same figures: one read per round
            summary = await batch.once("home", lambda: kit.read(dashboard.home_summary,
                                                                 actor=actor))
        except DomainError as err:
            return await kit.error_toast(self, err)
        self.customers = summary.customers
        self.staff = summary.staff
        self.emails_pending = summary.emails_pending
        self.emails_failed = summary.emails_failed
        self.bookings_today = summary.bookings_today
        self.bookings_pending = summary.bookings_pending
        self.payments_waiting = summary.payments_waiting
        self.requests_waiting = summary.requests_waiting
        self.orders_open = summary.orders_open
        self.orders_new = summary.orders_new
        self.tickets_open = summary.tickets_open
        self.holds_old = summary.holds_old
