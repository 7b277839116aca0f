"""Storefront appointments: the services, a day's free times, Book Now / Request to Book."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import reflex as rx

from reserve_app.domain.errors import DomainError, SlotTaken
from reserve_app.i18n import fmt_money, translate, zone
from reserve_app.services import appointments
from reserve_app.settings import get_settings
from reserve_app.state import kit


@dataclass
class ServiceCard:
    id: int
    name: str
    minutes: int
    price: str
    requires_approval: bool


@dataclass
class TimeChoice:
    staff_id: int
    staff_name: str
    start: str  # ISO, UTC
    label: str  # local time


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

    def _card(self, s: appointments.ServiceView, lang: str) -> ServiceCard:
        return ServiceCard(s.id, s.name, s.duration_minutes,
                           fmt_money(s.price, get_settings().currency, lang), s.requires_approval)

    @rx.event
    async def load_list(self):
        lang = await kit.language_of(self)
        self.services = [self._card(s, lang)
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
        self.service = self._card(found[0], lang) if found else None
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
        self.times = [TimeChoice(s.staff_id, s.staff_name, slot.start.isoformat(),
                                 slot.start.astimezone(tz).strftime("%H:%M"))
                      for s in found for slot in s.slots]

    @rx.event
    def choose(self, index: int):
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(self.times):
            self.chosen = self.times[index]

    @rx.event
    async def confirm(self):
        if self.service is None or self.chosen is None:
            return
        actor = await kit.current_actor(self)
        try:
            await kit.write(appointments.book, actor=actor, service_id=self.service.id,
                             staff_id=self.chosen.staff_id, start=self.chosen.start)
        except SlotTaken as err:
            await self.show_times({"day": self.day})
            return await kit.error_toast(self, err)
        except DomainError as err:
            return await kit.fail(self, err)
        lang = await kit.language_of(self)
        key = "appointment.requested" if self.service.requires_approval else "appointment.booked"
        return [rx.toast.success(translate(lang, key)), rx.redirect("/bookings")]
