"""Booking summary, extra fields and "Confirm booking" (log in first if needed)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

import reflex as rx

from reserve_app.domain.errors import DomainError, SlotTaken
from reserve_app.i18n import fmt_money, translate
from reserve_app.presenters.rentals import day
from reserve_app.services import rentals
from reserve_app.settings import get_settings
from reserve_app.state import kit


@dataclass
class FormField:
    id: int
    name: str
    label: str
    kind: str
    required: bool
    choices: list[str]


class RentalBookingState(rx.State):
    ready: bool = False
    logged_in: bool = False
    unit_type: str = ""
    start_label: str = ""
    end_label: str = ""
    days: int = 0
    price_per_day: str = ""
    subtotal: str = ""
    tax: str = ""
    tax_rate: str = ""
    total: str = ""
    fields: list[FormField] = []
    errors: dict[str, str] = {}
    login_url: str = "/login"
    register_url: str = "/register"
    back_url: str = "/"

    def _params(self) -> dict:
        return {"entry_id": kit.int_param(self, "entry"),
                "unit_type_id": kit.int_param(self, "type"),
                "start": kit.query_param(self, "start", 10),
                "end": kit.query_param(self, "end", 10)}

    @rx.event
    async def load(self):
        self.ready, self.errors = False, {}
        params = self._params()
        here = self.router.url.path + "?" + self.router.url.query
        self.login_url = "/login?next=" + quote(here, safe="")
        self.register_url = "/register?next=" + quote(here, safe="")
        self.back_url = "/rent?" + urlencode({"entry": params["entry_id"] or "",
                                              "start": params["start"], "end": params["end"]})
        self.logged_in = await kit.current_actor(self) is not None
        lang = await kit.language_of(self)
        try:
            s = await kit.read(rentals.summary, **params, lang=lang)
        except DomainError as err:
            return await kit.error_toast(self, err)
        currency = get_settings().currency
        self.unit_type = s.name
        self.start_label, self.end_label = day(s.period.start, lang), day(s.period.end, lang)
        self.days = s.quote.days
        self.price_per_day = fmt_money(s.quote.price_per_day, currency, lang)
        self.subtotal = fmt_money(s.quote.subtotal, currency, lang)
        self.tax = fmt_money(s.quote.tax, currency, lang)
        self.tax_rate = f"{s.quote.tax_rate.normalize():f}"
        self.total = fmt_money(s.quote.total, currency, lang)
        self.fields = [FormField(f.id, f"x{f.id}", f.label, f.kind, f.required,
                                 [c for c in f.choices.split(",") if c]) for f in s.fields]
        self.ready = True

    @rx.event
    async def confirm(self, form: dict):
        answers = {f[1:]: v for f, v in (form.items() if isinstance(form, dict) else [])
                   if isinstance(f, str) and f.startswith("x")}
        try:
            booking = await kit.write_as_caller(self, rentals.place_booking, answers=answers,
                                                **self._params())
        except SlotTaken as err:
            # Lost the race for the last unit: back to a refreshed search for the period.
            return [await kit.error_toast(self, err), rx.redirect(self.back_url)]
        except DomainError as err:
            return await kit.fail(self, err)
        lang = await kit.language_of(self)
        return [rx.toast.success(translate(lang, "booking.placed")),
                rx.redirect(f"/bookings?placed={booking.id}")]
