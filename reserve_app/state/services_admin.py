"""Admin "Services": bookable services, who delivers them, working hours and days off."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.i18n import fmt_money
from reserve_app.services import appointments
from reserve_app.settings import get_settings

from . import base
from .base import save_and_reload as save
from .staff_calendar import StaffChoice


@dataclass
class ServiceRow:
    id: int
    name: str
    minutes: int
    price: str
    requires_approval: bool
    multiple_clients: bool
    staff: str


class ServicesAdminState(rx.State):
    rows: list[ServiceRow] = []
    staff: list[StaffChoice] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    @rx.event
    async def load(self):
        return await base.open_page(self, "admin")

    async def _reload(self) -> None:
        actor = await base.current_actor(self)
        lang = await base.language_of(self)
        currency = get_settings().currency
        self.rows = [ServiceRow(s.id, s.name, s.duration_minutes,
                                fmt_money(s.price, currency, lang), s.requires_approval,
                                s.multiple_clients, ", ".join(n for _, n in s.staff))
                     for s in await base.read(appointments.list_services)]
        self.staff = [StaffChoice(str(i), n)
                      for i, n in await base.read(appointments.staff_choices, actor=actor)]

    @rx.event
    async def add_service(self, form: dict):
        minutes = base.text_field(form, "minutes", 4)
        return await save(self, appointments.save_service,
                          name=base.text_field(form, "name", 200),
                          duration_minutes=int(minutes) if minutes.isdigit() else None,
                          price=base.text_field(form, "price", 20),
                          requires_approval=base.text_field(form, "approval") == "on",
                          multiple_clients=base.text_field(form, "multiple") == "on",
                          staff_ids=base.checked_ids(form, "staff_"))

    @rx.event
    async def save_hours(self, form: dict):
        staff_id = base.text_field(form, "staff", 12)
        hours = {}
        for weekday in range(7):
            start = base.text_field(form, f"start_{weekday}", 5)
            end = base.text_field(form, f"end_{weekday}", 5)
            if start or end:
                hours[weekday] = [[start, end]]
        return await save(self, appointments.set_hours,
                          staff_id=int(staff_id) if staff_id.isdigit() else None, hours=hours)

    @rx.event
    async def day_off(self, form: dict):
        staff_id = base.text_field(form, "staff", 12)
        return await save(self, appointments.add_day_off,
                          staff_id=int(staff_id) if staff_id.isdigit() else None,
                          day=base.text_field(form, "day", 10))
