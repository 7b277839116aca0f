"""Staff: the booking calendar, and their decisions on requests (approve, approve at another
time or with another staff member, decline), each telling the customer by email."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, col, select

from reserve_app.domain import appointments as rules
from reserve_app.domain.accounts import Actor, require_staff
from reserve_app.domain.appointments import AppointmentStatus, Slot
from reserve_app.domain.errors import ValidationFailed
from reserve_app.domain.periods import parse_day
from reserve_app.models import Appointment, Service, User
from reserve_app.models.base import utcnow
from reserve_app.services.platform import audit, db, outbox

from .common import (
    ENTITY,
    AppointmentView,
    active_service,
    business_tz,
    delivering_staff,
    local_time,
    locked_request,
    service_name,
    view_of,
)
from .slots import confirm_at, free_slot_at, requested_start


def calendar(session: Session, *, actor: Actor | None, first_day: object,
             days: object) -> list[AppointmentView]:
    """Confirmed appointments and pending requests in [first_day, first_day + days)."""
    require_staff(actor)
    start_day = parse_day(first_day)
    span = next((n for n in (1, 7) if n == days), None)
    if start_day is None or span is None:
        raise ValidationFailed({"day": "field.date_invalid"})
    tz = business_tz()
    start = datetime.combine(start_day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(start_day + timedelta(days=span), time(0), tzinfo=tz).astimezone(UTC)
    rows = session.exec(select(Appointment).where(
        col(Appointment.status).in_([AppointmentStatus.PENDING.value,
                                     AppointmentStatus.CONFIRMED.value]),
        col(Appointment.start_at) < end, col(Appointment.end_at) > start,
    ).order_by(col(Appointment.start_at))).all()
    return [view_of(session, a) for a in rows]


def _text(value: object) -> str:
    return value.strip()[:1000] if isinstance(value, str) else ""


def approve(session: Session, *, actor: Actor | None, appointment_id: object) -> AppointmentView:
    staff = require_staff(actor)
    a = locked_request(session, appointment_id)
    db.serialize_on(session, f"staff-time:{a.staff_id}")
    session.refresh(a)
    old = a.status
    confirm_at(session, a, a.staff_id, Slot(a.start_at, a.end_at))
    _notify(session, a, staff, "appointment_approved", old)
    session.flush()
    return view_of(session, a)


def approve_with_reschedule(
    session: Session, *, actor: Actor | None, appointment_id: object, staff_id: object,
    start: object, private_note: object = "", notify: object = True, message: object = "",
    now: datetime | None = None,
) -> AppointmentView:
    """Approve at another time and/or with another staff member."""
    staff = require_staff(actor)
    a = locked_request(session, appointment_id)
    service = active_service(session, a.service_id)
    new_staff = delivering_staff(session, service, staff_id)
    when = requested_start(start)
    note, text = _text(private_note), _text(message)
    db.serialize_on(session, f"staff-time:{new_staff.id}")
    session.refresh(a)
    slot = free_slot_at(session, service, new_staff.id or 0, when, start, now or utcnow(),
                        exclude=a.id)
    old = f"{a.status} {a.start_at.isoformat()}"
    confirm_at(session, a, new_staff.id or 0, slot)
    if note:
        a.private_note = note
    if notify is True:
        _notify(session, a, staff, "appointment_rescheduled", old, message=text)
    else:
        audit.record(session, actor_id=staff.user_id, entity=ENTITY, entity_id=a.id or 0,
                     action="appointment_rescheduled", old=old, new=a.start_at.isoformat())
    session.flush()
    return view_of(session, a)


def decline(session: Session, *, actor: Actor | None, appointment_id: object,
            notify: object = True, message: object = "") -> AppointmentView:
    staff = require_staff(actor)
    a = locked_request(session, appointment_id)
    old = a.status
    a.status = rules.transition(AppointmentStatus(a.status), AppointmentStatus.DECLINED).value
    a.holds_slot = False
    text = _text(message)
    if notify is True:
        _notify(session, a, staff, "appointment_declined", old, message=text)
    else:
        audit.record(session, actor_id=staff.user_id, entity=ENTITY, entity_id=a.id or 0,
                     action="appointment_declined", old=old, new=a.status)
    session.flush()
    return view_of(session, a)


def _notify(session: Session, a: Appointment, staff: Actor, kind: str, old: str,
            message: str = "") -> None:
    audit.record(session, actor_id=staff.user_id, entity=ENTITY, entity_id=a.id or 0,
                 action=kind, old=old, new=f"{a.status} {a.start_at.isoformat()}", note=message)
    customer = session.get(User, a.customer_id)
    service = session.get(Service, a.service_id)
    by = session.get(User, a.staff_id)
    if customer is not None:
        outbox.record_email(session, to=customer.email, kind=kind, language=customer.language,
                            name=customer.name,
                            service=service_name(session, a.service_id, customer.language,
                                                 service.name) if service else "",
                            when=local_time(a.start_at, customer.language),
                            staff=by.name if by else "",
                            message=f"\n\n{message}" if message else "")
