"""Staff "Booking orders": filter by status, period and unit type; paginated."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import fmt_money, translate
from reserve_app.services import rentals

from . import base
from .views import day


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


@dataclass
class Choice:
    value: str
    label: str


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
        actor = await base.current_actor(self)
        if (elsewhere := await base.page_access(self, actor, "staff")) is not None:
            return elsewhere
        types = await base.read(rentals.unit_type_choices, actor=actor)
        self.unit_types = [Choice(str(i), name) for i, name in types]
        return await self._load(1)

    @rx.event
    async def apply(self, form: dict):
        self.status = base.text_field(form, "status", 16)
        self.start = base.text_field(form, "start", 10)
        self.end = base.text_field(form, "end", 10)
        self.unit_type = base.text_field(form, "unit_type", 12)
        return await self._load(1)

    @rx.event
    async def go(self, page: int):
        if isinstance(page, int) and not isinstance(page, bool) and page > 0:
            return await self._load(page)

    async def _load(self, page: int):
        actor = await base.current_actor(self)
        type_id = int(self.unit_type) if self.unit_type.isdigit() else None
        try:
            rows, total = await base.read(rentals.list_orders, actor=actor, status=self.status,
                                          start=self.start, end=self.end,
                                          unit_type_id=type_id, page=page)
        except DomainError as err:
            self.rows = []
            return await base.error_toast(self, err)
        lang = await base.language_of(self)
        self.total, self.page = total, page
        self.pages = max(1, -(-total // rentals.PAGE_SIZE))
        self.rows = [OrderLine(r.id, r.customer, r.unit_type, r.unit, day(r.start, lang),
                               day(r.end, lang), r.status,
                               translate(lang, f"booking.status.{r.status}"),
                               fmt_money(r.total, r.currency, lang)) for r in rows]
