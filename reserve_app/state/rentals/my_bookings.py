"""Customer "My bookings": status, invoice and "Pay invoice"."""

from __future__ import annotations

import reflex as rx

from reserve_app.i18n import translate
from reserve_app.presenters.rentals import BookingRow, booking_row
from reserve_app.services import rentals
from reserve_app.state import kit


class MyBookingsState(rx.State):
    rows: list[BookingRow] = []
    notice: str = ""

    async def _reload(self) -> None:
        lang = await kit.language_of(self)
        views = await kit.read_as_caller(self, rentals.my_bookings, lang=lang)
        self.rows = [booking_row(v, lang) for v in views]

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "login")) is not None:
            return elsewhere
        self.notice = ""
        await self._reload()

    @rx.event
    async def pay(self, order_id: int):
        if (refused := await kit.run(self, rentals.pay_booking, order_id=order_id)) is not None:
            return refused
        if (go := await kit.pay_online(self, rentals.ORDER, order_id)) is not None:
            return go
        self.notice = translate(await kit.language_of(self), "booking.paid_notice")
        return None
