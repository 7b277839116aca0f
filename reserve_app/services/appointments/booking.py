"""The customer's side: Book Now (confirmed at once) or Request to Book (pending), their
appointments, paying a Book Now appointment online, and the calendar file (.ics)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, func, select

from reserve_app.domain import appointments as rules
from reserve_app.domain import holds
from reserve_app.domain.accounts import Actor, require_login
from reserve_app.domain.appointments import AppointmentStatus
from reserve_app.domain.errors import DomainError, NotFound
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.models import Appointment
from reserve_app.models.base import utcnow
from reserve_app.services.billing import invoices as billing
from reserve_app.services.billing import payments
from reserve_app.services.platform import audit, db, outbox
from reserve_app.services.site import localized
from reserve_app.settings import get_settings

from .common import (
    ENTITY,
    AppointmentView,
    active_service,
    delivering_staff,
    local_time,
    service_name,
    view_of,
)
from .slots import free_slot_at, holding_time, requested_start


def book(session: Session, *, actor: Actor | None, service_id: object, staff_id: object,
         start: object, now: datetime | None = None) -> AppointmentView:
    """Book Now (confirmed at once) or Request to Book (pending), by the service's setting."""
    customer = require_login(actor)
    service = active_service(session, service_id)
    staff = delivering_staff(session, service, staff_id)
    now = now or utcnow()
    when = requested_start(start)
    if service.requires_approval:
        _check_pending_limit(session, customer.user_id, now)
    db.serialize_on(session, f"staff-time:{staff.id}")
    slot = free_slot_at(session, service, staff.id or 0, when, start, now)
    status = AppointmentStatus.PENDING if service.requires_approval else AppointmentStatus.CONFIRMED
    appointment = Appointment(service_id=service.id or 0, staff_id=staff.id or 0,
                              customer_id=customer.user_id, start_at=slot.start, end_at=slot.end,
                              status=status.value, price=service.price,
                              requires_approval=service.requires_approval,
                              currency=get_settings().currency,
                              holds_slot=rules.holds_slot(status,
                                                          multiple_clients=service.multiple_clients))
    with holding_time(session):
        session.add(appointment)
    audit.record(session, actor_id=customer.user_id, entity=ENTITY, entity_id=appointment.id or 0,
                 action="appointment_requested" if service.requires_approval
                 else "appointment_booked", new=status.value)
    kind = "appointment_requested" if service.requires_approval else "appointment_confirmed"
    outbox.record_email(session, to=customer.email, kind=kind, language=customer.language,
                        name=customer.name,
                        service=service_name(session, service.id, customer.language,
                                             service.name),
                        when=local_time(appointment.start_at, customer.language),
                        staff=staff.name)
    if service.requires_approval:
        outbox.record_email(session, to=staff.email, kind="appointment_new_request",
                            language=staff.language, name=staff.name, customer=customer.name,
                            service=service_name(session, service.id, staff.language,
                                                 service.name),
                            when=local_time(appointment.start_at, staff.language))
    session.flush()
    return view_of(session, appointment)


def _check_pending_limit(session: Session, customer_id: int, now: datetime) -> None:
    """Refuse a request when the customer already has MAX_PENDING_REQUESTS requests waiting
    for staff (serialized per customer, so parallel requests cannot all pass the count)."""
    limit = get_settings().max_pending_requests
    if not limit:
        return
    db.serialize_on(session, f"appointments:customer:{customer_id}")
    waiting = int(session.exec(select(func.count()).select_from(Appointment).where(
        col(Appointment.customer_id) == customer_id,
        col(Appointment.status) == AppointmentStatus.PENDING.value,
        col(Appointment.end_at) > now)).one())
    holds.check_limit(waiting, limit, key="appointment.too_many_requests")


def my_appointments(session: Session, *, actor: Actor | None, lang: str = ""
                    ) -> list[AppointmentView]:
    """The caller's appointments, newest first, services named in `lang` where given."""
    customer = require_login(actor)
    rows = session.exec(select(Appointment).where(Appointment.customer_id == customer.user_id)
                        .order_by(col(Appointment.start_at).desc()).limit(100)).all()
    own = localized.names(session, Entity.SERVICE, [a.service_id for a in rows], lang)
    return [replace(view, service=own.get(a.service_id, view.service))
            for a in rows for view in [view_of(session, a)]]


def pay_appointment(session: Session, *, actor: Actor | None,
                    appointment_id: object) -> AppointmentView:
    """Online payment of a confirmed Book Now appointment. Requests are never payable."""
    customer = require_login(actor)
    a = session.get(Appointment, record_id(appointment_id))
    if a is None or a.customer_id != customer.user_id:
        raise NotFound()
    if a.requires_approval:
        raise DomainError("appointment.request_not_payable")
    if a.status != AppointmentStatus.CONFIRMED:
        raise DomainError("appointment.not_payable")
    db.serialize_on(session, f"invoice:{ENTITY}:{a.id}")
    tax = Decimal("0.00")
    invoice = billing.draft_invoice(session, order_kind=ENTITY, order_id=a.id or 0,
                                    customer_id=customer.user_id, subtotal=a.price, tax=tax,
                                    total=a.price, currency=a.currency)
    payments.start_or_resume(session, invoice)
    session.flush()
    return view_of(session, a)


def ics(session: Session, *, actor: Actor | None, appointment_id: object) -> bytes:
    """An iCalendar file of a confirmed appointment, for its customer or staff."""
    from icalendar import Calendar, Event

    viewer = require_login(actor)
    a = session.get(Appointment, record_id(appointment_id))
    if a is None or (a.customer_id != viewer.user_id and not viewer.is_staff):
        raise NotFound()
    if not rules.in_calendar(AppointmentStatus(a.status)):
        raise DomainError("appointment.not_confirmed")
    view = view_of(session, a)
    cal = Calendar()
    cal.add("prodid", "-//reserve_app//appointments//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"appointment-{a.id}@reserve-app")
    event.add("dtstamp", utcnow())
    event.add("dtstart", a.start_at)
    event.add("dtend", a.end_at)
    event.add("summary", f"{view.service} ({get_settings().business_name})")
    event.add("description", view.staff)
    cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
