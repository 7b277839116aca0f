"""The customer's appointments and requests in "My bookings"."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.domain.billing import OPEN_PAYMENTS
from reserve_app.domain.errors import DomainError
from reserve_app.i18n import fmt_datetime, fmt_money, translate
from reserve_app.presenters.rentals import resumable
from reserve_app.services import appointments
from reserve_app.state import kit


@dataclass
class AppointmentRow:
    id: int
    service: str
    staff: str
    when: str
    status: str
    status_label: str
    price: str
    payable: bool
    payment_status: str
    payment_label: str
    proposed: str


def appointment_row(v: appointments.AppointmentView, lang: str, tz: str) -> AppointmentRow:
    payable = (not v.requires_approval and v.status == "confirmed"
               and (v.payment_status not in OPEN_PAYMENTS or resumable(v.payment_status)))
    return AppointmentRow(v.id, v.service, v.staff, fmt_datetime(v.start_at, lang, tz), v.status,
                          translate(lang, f"appointment.status.{v.status}"),
                          fmt_money(v.price, v.currency, lang), payable, v.payment_status,
                          translate(lang, f"payment.status.{v.payment_status or 'none'}"),
                          f"{fmt_datetime(v.proposed_start, lang, tz)} · {v.proposed_staff}"
                          if v.proposed_start and v.status == "pending" else "")


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

    @rx.event
    async def pay(self, appointment_id: int):
        actor = await kit.current_actor(self)
        try:
            await kit.write(appointments.pay_appointment, actor=actor,
                             appointment_id=appointment_id)
        except DomainError as err:
            return await kit.error_toast(self, err)
        await self.load()
        if (go := await kit.pay_online(self, appointments.ENTITY, appointment_id)) is not None:
            return go
        return rx.toast.success(translate(await kit.language_of(self), "booking.paid_notice"))

    @rx.event
    async def respond(self, appointment_id: int, accept: bool):
        actor = await kit.current_actor(self)
        try:
            await kit.write(appointments.respond_to_proposal, actor=actor,
                             appointment_id=appointment_id, accept=accept)
        except DomainError as err:
            await self.load()
            return await kit.error_toast(self, err)
        await self.load()
        return rx.toast.success(translate(await kit.language_of(self),
                                          "appointment.proposal_done"))
