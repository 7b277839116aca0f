"""The customer's appointments and requests in "My bookings"."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import translate
from reserve_app.presenters.appointments import AppointmentRow, appointment_row
from reserve_app.services import appointments
from reserve_app.state import kit


class MyAppointmentsState(rx.State):
    rows: list[AppointmentRow] = []

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if actor is None:
            return
        lang = await kit.language_of(self)
        views = await kit.read(appointments.my_appointments, actor=actor, lang=lang)
        self.rows = [appointment_row(v, lang, kit.viewer_timezone(self)) for v in views]

    async def _reload(self) -> None:
        """The refresh after an action: one read, the caller resolved inside it."""
        lang = await kit.language_of(self)
        try:
            views = await kit.read_as_caller(self, appointments.my_appointments, lang=lang)
        except DomainError:  # signed out meanwhile: the page shows nothing of theirs
            views = []
        self.rows = [appointment_row(v, lang, kit.viewer_timezone(self)) for v in views]

    @rx.event
    async def pay(self, appointment_id: int):
        if (refused := await kit.run(self, appointments.pay_appointment,
                                     appointment_id=appointment_id)) is not None:
            return refused
        if (go := await kit.pay_online(self, appointments.ENTITY, appointment_id)) is not None:
            return go
        return rx.toast.success(translate(await kit.language_of(self), "booking.paid_notice"))

    @rx.event
    async def respond(self, appointment_id: int, accept: bool):
        return await kit.run(self, appointments.respond_to_proposal,
                             success="appointment.proposal_done",
                             appointment_id=appointment_id, accept=accept)
