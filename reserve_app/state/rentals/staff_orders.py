"""Staff "Booking orders": filter by status, period and unit type; paginated."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import fmt_money, translate
from reserve_app.presenters.rentals import Choice, day
from reserve_app.services import rentals
from reserve_app.state import kit


@dataclass
class OrderLine:
    id: int
    customer: str
    unit_type: str
    unit: str
    start: str
    end: str
    status: str
    status_label: str
    total: str


class StaffBookingsState(rx.State):
    rows: list[OrderLine] = []
    unit_types: list[Choice] = []
    status: str = ""
    start: str = ""
    end: str = ""
    unit_type: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "staff")) is not None:
            return elsewhere
        types = await kit.read(rentals.unit_type_choices, actor=actor)
        self.unit_types = [Choice(str(i), name) for i, name in types]
        return await self._load(1)

    @rx.event
    async def apply(self, form: dict):
        self.status = kit.text_field(form, "status", 16)
        self.start = kit.text_field(form, "start", 10)
        self.end = kit.text_field(form, "end", 10)
        self.unit_type = kit.text_field(form, "unit_type", 12)
        return await self._load(1)

    @rx.event
    async def go(self, page: int):
        if isinstance(page, int) and not isinstance(page, bool) and page > 0:
            return await self._load(page)

    async def _load(self, page: int):
        type_id = kit.digits(self.unit_type)
        try:
            rows, total = await kit.read_as_caller(self, rentals.list_orders,
                                                    status=self.status, start=self.start,
                                                    end=self.end, unit_type_id=type_id,
                                                    page=page)
        except DomainError as err:
            self.rows = []
            return await kit.error_toast(self, err)
        lang = await kit.language_of(self)
        self.total, self.page = total, page
        self.pages = max(1, -(-total // rentals.PAGE_SIZE))
        self.rows = [OrderLine(r.id, r.customer, r.unit_type, r.unit, day(r.start, lang),
                               day(r.end, lang), r.status,
                               translate(lang, f"booking.status.{r.status}"),
                               fmt_money(r.total, r.currency, lang)) for r in rows]
