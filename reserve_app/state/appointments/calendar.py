"""Staff "Booking calendar": day and week views, requests with Approve / reschedule / Decline."""

from __future__ import annotations

from datetime import date, datetime, time

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import translate, zone
from reserve_app.presenters.appointments import (
    CalendarItem,
    StaffChoice,
    calendar_item,
    staff_choice_list,
)
from reserve_app.services import appointments
from reserve_app.settings import get_settings
from reserve_app.state import kit


class StaffCalendarState(rx.State):
    first_day: str = ""
    days: int = 7
    items: list[CalendarItem] = []
    staff: list[StaffChoice] = []
    open_id: int = 0
    mode: str = ""  # "", "reschedule", "decline"

    @rx.var
    def view(self) -> str:
        """The view in force, as the page's view select names it."""
        return "day" if self.days == 1 else "week"

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "staff")) is not None:
            return elsewhere
        requested = kit.query_param(self, "day", 10)
        today = datetime.now(appointments.business_tz()).date()
        self.first_day = requested if _is_day(requested) else today.isoformat()
        self.staff = staff_choice_list(await kit.read(appointments.staff_choices, actor=actor))
        return await self._reload()

    @rx.event
    async def show(self, form: dict):
        day = kit.text_field(form, "day", 10)
        self.first_day = day if _is_day(day) else self.first_day
        self.days = 1 if kit.text_field(form, "view", 8) == "day" else 7
        return await self._reload()

    @rx.event
    def open(self, appointment_id: int, mode: str):
        if isinstance(appointment_id, int) and mode in ("", "reschedule", "decline", "propose"):
            self.open_id, self.mode = appointment_id, mode

    async def _reload(self):
        try:
            views = await kit.read_as_caller(self, appointments.calendar,
                                              first_day=self.first_day, days=self.days)
        except DomainError as err:
            self.items = []
            return await kit.error_toast(self, err)
        lang = await kit.language_of(self)
        tz = zone(get_settings().default_timezone)  # staff plan in the business's time
        self.items = [calendar_item(v, lang, tz) for v in views]

    async def _act(self, fn, **kwargs):  # noqa: ANN001
        """A decision on the open request through the one runner (one write with the caller
        resolved inside it, one read for the refresh); once done the panel closes."""
        if (refused := await kit.run(self, fn, appointment_id=self.open_id,
                                     **kwargs)) is not None:
            return refused
        self.open_id, self.mode = 0, ""
        return rx.toast.success(translate(await kit.language_of(self), "staff.saved"))

    @rx.event
    async def approve(self, appointment_id: int):
        self.open_id = appointment_id if isinstance(appointment_id, int) else 0
        return await self._act(appointments.approve)

    @rx.event
    async def reschedule(self, form: dict):
        staff_id = kit.text_field(form, "r_staff", 12)
        day, at = kit.text_field(form, "r_day", 10), kit.text_field(form, "r_time", 5)
        return await self._act(appointments.approve_with_reschedule,
                               staff_id=kit.digits(staff_id),
                               start=_local_iso(day, at),
                               private_note=kit.text_field(form, "note", 1000),
                               notify=kit.text_field(form, "notify") == "on",
                               message=kit.text_field(form, "message", 1000))

    @rx.event
    async def propose(self, form: dict):
        staff_id = kit.text_field(form, "r_staff", 12)
        day, at = kit.text_field(form, "r_day", 10), kit.text_field(form, "r_time", 5)
        return await self._act(appointments.propose_time,
                               staff_id=kit.digits(staff_id),
                               start=_local_iso(day, at),
                               message=kit.text_field(form, "message", 1000))

    @rx.event
    async def decline(self, form: dict):
        return await self._act(appointments.decline,
                               notify=kit.text_field(form, "notify") == "on",
                               message=kit.text_field(form, "message", 1000))


def _is_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _local_iso(day: str, at: str) -> str:
    """The business-local day and "HH:MM" as an aware ISO time ("" when malformed)."""
    try:
        when = datetime.combine(date.fromisoformat(day), time.fromisoformat(at),
                                tzinfo=appointments.business_tz())
    except ValueError:
        return ""
    return when.isoformat()
