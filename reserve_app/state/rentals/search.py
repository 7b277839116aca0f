"""Storefront rental page: choose a period, see the unit types free for all of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

import reflex as rx

from reserve_app.domain.errors import DomainError, NotFound
from reserve_app.i18n import fmt_money
from reserve_app.presenters.rentals import day
from reserve_app.services import rentals
from reserve_app.settings import get_settings
from reserve_app.state import kit


@dataclass
class Offer:
    unit_type_id: int
    name: str
    description: str
    photo_url: str
    days: int
    price_per_day: str
    subtotal: str
    tax: str
    tax_rate: str
    total: str
    book_url: str


class RentalSearchState(rx.State):
    entry_id: int = 0
    title: str = ""
    available: bool = True
    start: str = ""
    end: str = ""
    period_label: str = ""
    searched: bool = False
    offers: list[Offer] = []
    errors: dict[str, str] = {}

    @rx.event
    async def load(self):
        self.offers, self.errors, self.searched = [], {}, False
        entry_id = kit.int_param(self, "entry")
        try:
            page = await kit.read(rentals.rental_page, entry_id=entry_id,
                                   lang=await kit.language_of(self))
        except DomainError as err:
            self.entry_id, self.title, self.available = 0, "", False
            return await kit.error_toast(self, err if entry_id else NotFound())
        self.entry_id, self.title, self.available = page.entry_id, page.title, page.booking_enabled
        start, end = kit.query_param(self, "start", 10), kit.query_param(self, "end", 10)
        if start and end:
            return await self._search(start, end)

    @rx.event
    async def search(self, form: dict):
        return await self._search(kit.text_field(form, "start", 10),
                                  kit.text_field(form, "end", 10))

    async def _search(self, start: str, end: str):
        self.start, self.end = start, end
        lang = await kit.language_of(self)
        try:
            found = await kit.read(rentals.search, entry_id=self.entry_id, start=start, end=end,
                                    lang=lang)
        except DomainError as err:
            self.offers, self.searched = [], False
            return await kit.fail(self, err)
        self.errors, self.searched = {}, True
        self.period_label = f"{day(date.fromisoformat(start), lang)} – " \
                            f"{day(date.fromisoformat(end), lang)}"
        currency = get_settings().currency
        query = {"entry": self.entry_id, "start": start, "end": end}
        self.offers = [
            Offer(o.unit_type_id, o.name, o.description, o.photo_url, o.quote.days,
                  fmt_money(o.quote.price_per_day, currency, lang),
                  fmt_money(o.quote.subtotal, currency, lang),
                  fmt_money(o.quote.tax, currency, lang), f"{o.quote.tax_rate.normalize():f}",
                  fmt_money(o.quote.total, currency, lang),
                  "/rent/book?" + urlencode({**query, "type": o.unit_type_id}))
            for o in found
        ]
