"""Admin "Services": bookable services (add, edit), who delivers them, working hours and
days off."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError, NotFound
from reserve_app.presenters.appointments import (
    ServiceRow,
    StaffChoice,
    service_row,
    staff_choice_list,
)
from reserve_app.services import appointments
from reserve_app.settings import get_settings
from reserve_app.state import kit
from reserve_app.state.kit import save_and_reload as save

SHIFTS = ("", "2")  # the hours form has two shifts a day: start_0/end_0, start2_0/end2_0


def _service_fields(form: dict, prefix: str = "") -> dict[str, object]:
    minutes = kit.text_field(form, prefix + "minutes", 4)
    return {"name": kit.text_field(form, prefix + "name", 200),
            "duration_minutes": kit.digits(minutes),
            "price": kit.text_field(form, prefix + "price", 20),
            "requires_approval": kit.text_field(form, prefix + "approval") == "on",
            "multiple_clients": kit.text_field(form, prefix + "multiple") == "on",
            "staff_ids": kit.checked_ids(form, prefix + "staff_")}


class ServicesAdminState(rx.State):
    rows: list[ServiceRow] = []
    staff: list[StaffChoice] = []
    editing: int = 0                  # the service in the edit form (0: none)
    hours_staff: str = ""             # whose hours the hours form shows
    hours: dict[str, str] = {}        # their hours in force: start_0 -> "09:00", ...
    errors: dict[str, str] = {}
    form_key: int = 0                 # bumped on every load and save: forms re-mount

    @rx.event
    async def load(self):
        self.editing, self.errors, self.hours_staff = 0, {}, ""
        self.form_key += 1
        return await kit.open_page(self, "admin")

    async def _reload(self) -> None:
        actor = await kit.current_actor(self)
        lang = await kit.language_of(self)
        currency = get_settings().currency
        self.rows = [service_row(s, currency, lang)
                     for s in await kit.read(appointments.list_services)]
        self.staff = staff_choice_list(await kit.read(appointments.staff_choices, actor=actor))
        if self.hours_staff not in [c.value for c in self.staff]:
            self.hours_staff = self.staff[0].value if self.staff else ""
        found = await kit.read(appointments.hours_of, actor=actor,
                                staff_id=kit.digits(self.hours_staff)) if self.hours_staff else {}
        self.hours = {f"{edge}{n}_{day}": shift[i] for day, shifts in found.items()
                      for n, shift in zip(SHIFTS, shifts, strict=False)
                      for i, edge in enumerate(("start", "end"))}

    @rx.event
    async def add_service(self, form: dict):
        return await save(self, appointments.save_service, **_service_fields(form))

    @rx.event
    async def edit(self, service_id: int):
        """Open the edit form with the values in force (read again now)."""
        await self._reload()
        self.errors = {}
        if not any(r.id == service_id for r in self.rows):
            self.editing = 0
            return await kit.error_toast(self, NotFound())
        self.editing = service_id
        self.form_key += 1

    @rx.event
    def cancel_edit(self):
        self.editing, self.errors = 0, {}
        self.form_key += 1

    @rx.event
    async def save_changes(self, form: dict):
        if not self.editing:
            return None
        done = await save(self, appointments.save_service, service_id=self.editing,
                          **_service_fields(form, "e_"))
        if self.errors:  # the edit form's fields are e_name, e_price, ...
            self.errors = {f"e_{k}": v for k, v in self.errors.items()}
        else:
            self.editing = 0
        return done

    @rx.event
    async def pick_hours_staff(self, staff_id: str):
        """Show the chosen staff member's hours in force in the hours form."""
        chosen = kit.digits(staff_id)
        self.hours_staff = str(chosen) if chosen else ""
        try:
            await self._reload()
        except DomainError as err:
            return await kit.error_toast(self, err)
        self.form_key += 1
        return None

    @rx.event
    async def save_hours(self, form: dict):
        staff_id = kit.text_field(form, "staff", 12)
        hours = {}
        for weekday in range(7):
            shifts = [[kit.text_field(form, f"start{n}_{weekday}", 5),
                       kit.text_field(form, f"end{n}_{weekday}", 5)] for n in SHIFTS]
            if found := [s for s in shifts if s[0] or s[1]]:
                hours[weekday] = found
        self.hours_staff = staff_id if kit.digits(staff_id) is not None else self.hours_staff
        return await save(self, appointments.set_hours,
                          staff_id=kit.digits(staff_id), hours=hours)

    @rx.event
    async def day_off(self, form: dict):
        staff_id = kit.text_field(form, "staff", 12)
        return await save(self, appointments.add_day_off,
                          staff_id=kit.digits(staff_id),
                          day=kit.text_field(form, "day", 10))
