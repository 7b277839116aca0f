"""Storefront appointments: the services, a day's free times, Book Now / Request to Book."""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import translate, zone
from reserve_app.presenters.appointments import (
    ServiceCard,
    TimeChoice,
    service_card,
    time_choices,
)
from reserve_app.services import appointments
from reserve_app.settings import get_settings
from reserve_app.state import kit


class ServiceBookingState(rx.State):
    services: list[ServiceCard] = []
    service: ServiceCard | None = None
    day: str = ""
    times: list[TimeChoice] = []
    searched: bool = False
    chosen: TimeChoice | None = None
    logged_in: bool = False
    login_url: str = "/login"
    errors: dict[str, str] = {}

    @rx.event
    async def load_list(self):
        lang = await kit.language_of(self)
        currency = get_settings().currency
        self.services = [service_card(s, currency, lang)
                         for s in await kit.read(appointments.list_services, lang=lang)]

    @rx.event
    async def load(self):
        self.times, self.searched, self.chosen, self.errors = [], False, None, {}
        self.logged_in = await kit.current_actor(self) is not None
        here = self.router.url.path + "?" + self.router.url.query
        self.login_url = "/login?next=" + quote(here, safe="")
        wanted = kit.int_param(self, "service")
        lang = await kit.language_of(self)
        found = [s for s in await kit.read(appointments.list_services, lang=lang)
                 if s.id == wanted]
        self.service = service_card(found[0], get_settings().currency, lang) if found else None
        if self.service is None:
            return await kit.error_toast(self, DomainError("error.not_found"))

    @rx.event
    async def show_times(self, form: dict):
        self.day, self.chosen = kit.text_field(form, "day", 10), None
        if self.service is None:
            return
        try:
            found = await kit.read(appointments.free_slots, service_id=self.service.id,
                                    day=self.day)
        except DomainError as err:
            self.times, self.searched = [], False
            return await kit.fail(self, err)
        tz = zone(kit.viewer_timezone(self), get_settings().default_timezone)
        self.errors, self.searched = {}, True
        self.times = time_choices(found, tz)

    async def _reload(self) -> None:
        """The day's free times again (a refused booking: the time may be gone)."""
        await self.show_times({"day": self.day})

    @rx.event
    def choose(self, index: int):
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(self.times):
            self.chosen = self.times[index]

    @rx.event
    async def confirm(self):
        if self.service is None or self.chosen is None:
            return
        if (refused := await kit.run(self, appointments.book, service_id=self.service.id,
                                     staff_id=self.chosen.staff_id,
                                     start=self.chosen.start)) is not None:
            return refused
        lang = await kit.language_of(self)
        key = "appointment.requested" if self.service.requires_approval else "appointment.booked"
        return [rx.toast.success(translate(lang, key)), rx.redirect("/bookings")]
