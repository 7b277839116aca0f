"""Appointments: services and staff hours (admin), free slots, Book Now / Request to Book
(customer), approve / approve with reschedule / decline (staff), emails through the outbox.

A staff member's time is guarded like rental units: each use case that checks and writes runs
serialized per staff member (SQLite BEGIN IMMEDIATE; PostgreSQL advisory lock), and the
database refuses overlapping rows that hold a slot (PostgreSQL exclusion constraint on
tstzrange(start_at, end_at, '[)'), SQLite triggers).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from reserve_app.domain import appointments as rules
from reserve_app.domain.accounts import (
    STAFF_ROLES,
    Actor,
    require_admin,
    require_login,
    require_staff,
)
from reserve_app.domain.appointments import AppointmentStatus, Slot
from reserve_app.domain.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    SlotTaken,
    ValidationFailed,
)
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.domain.money import parse_amount
from reserve_app.domain.periods import parse_day
from reserve_app.domain.rentals import short_text
from reserve_app.models import Appointment, DayOff, Service, ServiceStaff, User, WorkingHours
from reserve_app.models.base import utcnow
from reserve_app.services.accounts.auth import hash_token
from reserve_app.services.billing import invoices as billing
from reserve_app.services.billing import payments
from reserve_app.services.platform import audit, db, outbox
from reserve_app.services.site import localized
from reserve_app.settings import get_settings

ENTITY = "appointment"
MAX_DAYS_AHEAD = 180


def business_tz() -> ZoneInfo:
    return ZoneInfo(get_settings().default_timezone)



# --- catalogue (admin) --------------------------------------------------------------------

@dataclass(frozen=True)
class ServiceView:
    id: int
    name: str
    duration_minutes: int
    price: Decimal
    requires_approval: bool
    multiple_clients: bool
    staff: list[tuple[int, str]]


def _service_view(session: Session, service: Service) -> ServiceView:
    staff = session.exec(
        select(User.id, User.name).join(ServiceStaff, col(ServiceStaff.staff_id) == User.id)
        .where(ServiceStaff.service_id == service.id, col(User.active)).order_by(User.name)
    ).all()
    return ServiceView(service.id or 0, service.name, service.duration_minutes, service.price,
                       service.requires_approval, service.multiple_clients,
                       [(i or 0, n) for i, n in staff])


def list_services(session: Session, *, lang: str = "") -> list[ServiceView]:
    """Active services, named in `lang` where an admin gave a name (the staff pages ask for
    none and get the services' own names)."""
    rows = session.exec(select(Service).where(col(Service.active)).order_by(Service.name)).all()
    own = localized.names(session, Entity.SERVICE, [s.id or 0 for s in rows], lang)
    return [replace(view, name=own.get(view.id, view.name))
            for view in (_service_view(session, s) for s in rows)]


def save_service(session: Session, *, actor: Actor | None, name: object, duration_minutes: object,
                 price: object, requires_approval: object, multiple_clients: object,
                 staff_ids: object, service_id: object = None) -> int:
    admin = require_admin(actor)
    errors: dict[str, str] = {}
    clean_name = short_text(name, "name", errors)
    if (not isinstance(duration_minutes, int) or isinstance(duration_minutes, bool)
            or not 5 <= duration_minutes <= 12 * 60):
        errors["duration_minutes"] = "appointment.duration_invalid"
    amount = parse_amount(price)
    if amount is None:
        errors["price"] = "field.amount_invalid"
    if not isinstance(requires_approval, bool) or not isinstance(multiple_clients, bool):
        errors["requires_approval"] = "field.choice_invalid"
    ids = staff_ids if isinstance(staff_ids, list) else []
    staff = session.exec(select(User.id).where(col(User.id).in_(
        [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]),
        col(User.role).in_([r.value for r in STAFF_ROLES]))).all() if ids else []
    if not ids or len(staff) != len(set(ids)):
        errors["staff"] = "appointment.pick_staff"
    if errors:
        raise ValidationFailed(errors)
    assert isinstance(duration_minutes, int) and amount is not None
    before: dict[str, object] = {}
    if service_id is None:
        service = Service(name=clean_name, duration_minutes=duration_minutes, price=amount)
        session.add(service)
    else:
        found = session.get(Service, record_id(service_id))
        if found is None or not found.active:
            raise NotFound()
        service = found
        db.serialize_on(session, f"service:{service.id}")  # two admins editing: in turn
        session.refresh(service)
        before = _audited(session, service)
        service.name, service.duration_minutes, service.price = clean_name, duration_minutes, amount
    # Appointments already made keep their price, times and slot rule (holds_slot), and
    # whether they needed approval (requires_approval on the appointment): an edit applies
    # to new bookings only.
    service.requires_approval = bool(requires_approval)
    service.multiple_clients = bool(multiple_clients)
    session.flush()
    session.exec(delete(ServiceStaff).where(col(ServiceStaff.service_id) == service.id))
    for staff_id in sorted(set(staff)):
        session.add(ServiceStaff(service_id=service.id or 0, staff_id=staff_id or 0))
    session.flush()
    if service_id is None:
        audit.record(session, actor_id=admin.user_id, entity="service",
                     entity_id=service.id or 0, action="service_saved",
                     new=f"{clean_name} {duration_minutes} min {amount}")
    else:
        audit.record_changes(session, actor_id=admin.user_id, entity="service",
                             entity_id=service.id or 0, action="service_updated",
                             before=before, after=_audited(session, service))
    session.flush()
    return service.id or 0


def _audited(session: Session, service: Service) -> dict[str, object]:
    """What an edit of a service may change, as its audit row shows it."""
    staff = session.exec(
        select(User.name).join(ServiceStaff, col(ServiceStaff.staff_id) == User.id)
        .where(ServiceStaff.service_id == service.id).order_by(User.name)).all()
    return {"name": service.name, "minutes": service.duration_minutes,
            "price": service.price, "approval": service.requires_approval,
            "multiple clients": service.multiple_clients, "staff": list(staff)}


def set_hours(session: Session, *, actor: Actor | None, staff_id: object,
              hours: object) -> None:
    """Replace a staff member's weekly hours: {weekday: [["09:00", "17:00"], ...]}."""
    admin = require_admin(actor)
    user = session.get(User, record_id(staff_id))
    if user is None or user.role not in [r.value for r in STAFF_ROLES]:
        raise NotFound()
    if not isinstance(hours, dict):
        raise ValidationFailed({"hours": "appointment.hours_invalid"})
    rows = {int(k) if isinstance(k, str) and k.isdigit() else k: v for k, v in hours.items()}
    if not all(isinstance(v, list) and all(isinstance(p, list | tuple) and len(p) == 2
                                           for p in v) for v in rows.values()):
        raise ValidationFailed({"hours": "appointment.hours_invalid"})
    shifts = rules.parse_shifts(rows)  # type: ignore[arg-type]
    session.exec(delete(WorkingHours).where(col(WorkingHours.staff_id) == user.id))
    for s in shifts:
        session.add(WorkingHours(staff_id=user.id or 0, weekday=s.weekday,
                                 start=s.start.strftime("%H:%M"), end=s.end.strftime("%H:%M")))
    audit.record(session, actor_id=admin.user_id, entity="user", entity_id=user.id or 0,
                 action="hours_changed", new=str(len(shifts)))
    session.flush()


def hours_of(session: Session, *, actor: Actor | None,
             staff_id: object) -> dict[int, list[tuple[str, str]]]:
    """A staff member's weekly hours in force: {weekday: [("09:00", "12:00"), ...]}."""
    require_admin(actor)
    user = session.get(User, record_id(staff_id))
    if user is None or user.role not in [r.value for r in STAFF_ROLES]:
        raise NotFound()
    found: dict[int, list[tuple[str, str]]] = {}
    for h in session.exec(select(WorkingHours).where(WorkingHours.staff_id == user.id)
                          .order_by(col(WorkingHours.weekday), col(WorkingHours.start))).all():
        found.setdefault(h.weekday, []).append((h.start, h.end))
    return found


def add_day_off(session: Session, *, actor: Actor | None, staff_id: object, day: object) -> None:
    admin = require_admin(actor)
    user = session.get(User, record_id(staff_id))
    when = parse_day(day)
    if user is None or user.role not in [r.value for r in STAFF_ROLES]:
        raise NotFound()
    if when is None:
        raise ValidationFailed({"day": "field.date_invalid"})
    if session.get(DayOff, (user.id, when)) is None:
        session.add(DayOff(staff_id=user.id or 0, day=when))
        audit.record(session, actor_id=admin.user_id, entity="user", entity_id=user.id or 0,
                     action="day_off_added", new=when.isoformat())
    session.flush()


# --- slots ------------------------------------------------------------------------------------

def _service(session: Session, service_id: object) -> Service:
    service = session.get(Service, record_id(service_id))
    if service is None or not service.active:
        raise NotFound()
    return service


def _delivers(session: Session, service: Service, staff_id: object) -> User:
    staff_key = record_id(staff_id)
    link = session.get(ServiceStaff, (service.id, staff_key))
    user = session.get(User, staff_key)
    if link is None or user is None or not user.active:
        raise NotFound()
    return user


def _busy(session: Session, staff_id: int, start: datetime, end: datetime,
          exclude: int | None = None) -> list[Appointment]:
    query = select(Appointment).where(Appointment.staff_id == staff_id, col(Appointment.holds_slot),
                                      col(Appointment.start_at) < end,
                                      col(Appointment.end_at) > start)
    if exclude is not None:
        query = query.where(Appointment.id != exclude)
    return list(session.exec(query).all())


def slots_for(session: Session, service: Service, staff_id: int, day: date,
              now: datetime, exclude: int | None = None) -> list[Slot]:
    tz = business_tz()
    shifts = [rules.Shift(h.weekday, time.fromisoformat(h.start), time.fromisoformat(h.end))
              for h in session.exec(select(WorkingHours)
                                    .where(WorkingHours.staff_id == staff_id)).all()]
    days_off = session.exec(select(DayOff.day).where(DayOff.staff_id == staff_id)).all()
    candidates = rules.candidate_slots(day=day, shifts=shifts, days_off=days_off,
                                       duration=timedelta(minutes=service.duration_minutes),
                                       tz=tz)
    if not candidates:
        return []
    busy = _busy(session, staff_id, candidates[0].start, candidates[-1].end, exclude)
    return rules.free_slots(candidates=candidates,
                            busy=[(a.start_at, a.end_at) for a in busy], now=now)


def _bookable_day(when: date | None, now: datetime) -> date:
    """A day from today (business time) up to MAX_DAYS_AHEAD, else ValidationFailed."""
    today = now.astimezone(business_tz()).date()
    if when is None:
        raise ValidationFailed({"day": "field.date_invalid"})
    if when < today or when > today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed({"day": "appointment.day_out_of_range"})
    return when


@dataclass(frozen=True)
class StaffSlots:
    staff_id: int
    staff_name: str
    slots: list[Slot]


def free_slots(session: Session, *, service_id: object, day: object,
               now: datetime | None = None) -> list[StaffSlots]:
    service = _service(session, service_id)
    now = now or utcnow()
    when = _bookable_day(parse_day(day), now)
    view = _service_view(session, service)
    return [StaffSlots(staff_id, name, slots_for(session, service, staff_id, when, now))
            for staff_id, name in view.staff]


# --- customer ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AppointmentView:
    id: int
    service: str
    staff_id: int
    staff: str
    customer: str
    start_at: datetime
    end_at: datetime
    status: str
    requires_approval: bool
    price: Decimal
    currency: str
    payment_status: str
    proposed_start: datetime | None = None
    proposed_staff: str = ""


def _view(session: Session, a: Appointment) -> AppointmentView:
    service = session.get(Service, a.service_id)
    staff = session.get(User, a.staff_id)
    customer = session.get(User, a.customer_id)
    invoice = billing.invoice_for(session, ENTITY, a.id or 0)
    pays = billing.payments_of(session, invoice.id or 0) if invoice else []
    return AppointmentView(a.id or 0, service.name if service else "", a.staff_id,
                           staff.name if staff else "",
                           customer.name if customer else "", a.start_at, a.end_at, a.status,
                           a.requires_approval, a.price, a.currency,
                           pays[-1].status if pays else "", a.proposed_start,
                           _name(session, a.proposed_staff_id))


def _service_name(session: Session, service_id: int | None, lang: str, own: str) -> str:
    """A service's name in `lang` (e.g. an email's recipient's), else its own."""
    return localized.name(session, Entity.SERVICE, service_id or 0, lang, own)


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.name if user else ""


def _when(a: Appointment, language: str) -> str:
    from reserve_app.i18n import fmt_datetime

    return fmt_datetime(a.start_at, language, get_settings().default_timezone)


def book(session: Session, *, actor: Actor | None, service_id: object, staff_id: object,
         start: object, now: datetime | None = None) -> AppointmentView:
    """Book Now (confirmed at once) or Request to Book (pending), by the service's setting."""
    customer = require_login(actor)
    service = _service(session, service_id)
    staff = _delivers(session, service, staff_id)
    now = now or utcnow()
    when = rules.parse_start(start)
    if when is None:
        raise ValidationFailed({"start": "appointment.time_invalid"})
    db.serialize_on(session, f"staff-time:{staff.id}")
    local_day = _bookable_day(when.astimezone(business_tz()).date(), now)
    free = slots_for(session, service, staff.id or 0, local_day, now)
    slot = rules.check_requested_slot(start, free=free)
    status = AppointmentStatus.PENDING if service.requires_approval else AppointmentStatus.CONFIRMED
    appointment = Appointment(service_id=service.id or 0, staff_id=staff.id or 0,
                              customer_id=customer.user_id, start_at=slot.start, end_at=slot.end,
                              status=status.value, price=service.price,
                              requires_approval=service.requires_approval,
                              currency=get_settings().currency,
                              holds_slot=rules.holds_slot(status,
                                                          multiple_clients=service.multiple_clients))
    session.add(appointment)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise SlotTaken("appointment.slot_unavailable") from None
    audit.record(session, actor_id=customer.user_id, entity=ENTITY, entity_id=appointment.id or 0,
                 action="appointment_requested" if service.requires_approval
                 else "appointment_booked", new=status.value)
    kind = "appointment_requested" if service.requires_approval else "appointment_confirmed"
    outbox.record_email(session, to=customer.email, kind=kind, language=customer.language,
                        name=customer.name,
                        service=_service_name(session, service.id, customer.language,
                                              service.name),
                        when=_when(appointment, customer.language), staff=staff.name)
    if service.requires_approval:
        outbox.record_email(session, to=staff.email, kind="appointment_new_request",
                            language=staff.language, name=staff.name, customer=customer.name,
                            service=_service_name(session, service.id, staff.language,
                                                  service.name),
                            when=_when(appointment, staff.language))
    session.flush()
    return _view(session, appointment)


def my_appointments(session: Session, *, actor: Actor | None, lang: str = ""
                    ) -> list[AppointmentView]:
    """The caller's appointments, newest first, services named in `lang` where given."""
    customer = require_login(actor)
    rows = session.exec(select(Appointment).where(Appointment.customer_id == customer.user_id)
                        .order_by(col(Appointment.start_at).desc()).limit(100)).all()
    own = localized.names(session, Entity.SERVICE, [a.service_id for a in rows], lang)
    return [replace(view, service=own.get(a.service_id, view.service))
            for a in rows for view in [_view(session, a)]]


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
    return _view(session, a)


# --- staff -------------------------------------------------------------------------------------

def calendar(session: Session, *, actor: Actor | None, first_day: object,
             days: object) -> list[AppointmentView]:
    """Confirmed appointments and pending requests in [first_day, first_day + days)."""
    require_staff(actor)
    start_day = parse_day(first_day)
    if start_day is None or days not in (1, 7):
        raise ValidationFailed({"day": "field.date_invalid"})
    tz = business_tz()
    start = datetime.combine(start_day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(start_day + timedelta(days=days), time(0), tzinfo=tz).astimezone(UTC)
    rows = session.exec(select(Appointment).where(
        col(Appointment.status).in_([AppointmentStatus.PENDING.value,
                                     AppointmentStatus.CONFIRMED.value]),
        col(Appointment.start_at) < end, col(Appointment.end_at) > start,
    ).order_by(Appointment.start_at)).all()
    return [_view(session, a) for a in rows]


def _pending(session: Session, appointment_id: object) -> Appointment:
    """The request, locked against concurrent staff decisions on it, freshly read."""
    a = session.get(Appointment, record_id(appointment_id))
    if a is None:
        raise NotFound()
    db.serialize_on(session, f"appointment:{a.id}")
    session.refresh(a)
    return a


def _confirm_at(session: Session, a: Appointment, staff_id: int, slot: Slot) -> None:
    """Move a pending request to `slot` with `staff_id` and confirm it, or SlotTaken."""
    rules.transition(AppointmentStatus(a.status), AppointmentStatus.CONFIRMED)
    conflict = _busy(session, staff_id, slot.start, slot.end, exclude=a.id)
    if conflict:
        raise SlotTaken("appointment.conflict", other=conflict[0].id)
    a.staff_id, a.start_at, a.end_at = staff_id, slot.start, slot.end
    a.status, a.holds_slot = AppointmentStatus.CONFIRMED.value, True
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise SlotTaken("appointment.slot_unavailable") from None


def approve(session: Session, *, actor: Actor | None, appointment_id: object) -> AppointmentView:
    staff = require_staff(actor)
    a = _pending(session, appointment_id)
    db.serialize_on(session, f"staff-time:{a.staff_id}")
    session.refresh(a)
    old = a.status
    _confirm_at(session, a, a.staff_id, Slot(a.start_at, a.end_at))
    _notify(session, a, staff, "appointment_approved", old)
    session.flush()
    return _view(session, a)


def approve_with_reschedule(
    session: Session, *, actor: Actor | None, appointment_id: object, staff_id: object,
    start: object, private_note: object = "", notify: object = True, message: object = "",
    now: datetime | None = None,
) -> AppointmentView:
    """Approve at another time and/or with another staff member."""
    staff = require_staff(actor)
    a = _pending(session, appointment_id)
    service = _service(session, a.service_id)
    new_staff = _delivers(session, service, staff_id)
    when = rules.parse_start(start)
    if when is None:
        raise ValidationFailed({"start": "appointment.time_invalid"})
    note = private_note.strip()[:1000] if isinstance(private_note, str) else ""
    text = message.strip()[:1000] if isinstance(message, str) else ""
    db.serialize_on(session, f"staff-time:{new_staff.id}")
    session.refresh(a)
    now = now or utcnow()
    local_day = _bookable_day(when.astimezone(business_tz()).date(), now)
    free = slots_for(session, service, new_staff.id or 0, local_day, now, exclude=a.id)
    slot = rules.check_requested_slot(start, free=free)
    old = f"{a.status} {a.start_at.isoformat()}"
    _confirm_at(session, a, new_staff.id or 0, slot)
    if note:
        a.private_note = note
    if notify is True:
        _notify(session, a, staff, "appointment_rescheduled", old, message=text)
    else:
        audit.record(session, actor_id=staff.user_id, entity=ENTITY, entity_id=a.id or 0,
                     action="appointment_rescheduled", old=old, new=a.start_at.isoformat())
    session.flush()
    return _view(session, a)


def decline(session: Session, *, actor: Actor | None, appointment_id: object,
            notify: object = True, message: object = "") -> AppointmentView:
    staff = require_staff(actor)
    a = _pending(session, appointment_id)
    old = a.status
    a.status = rules.transition(AppointmentStatus(a.status), AppointmentStatus.DECLINED).value
    a.holds_slot = False
    text = message.strip()[:1000] if isinstance(message, str) else ""
    if notify is True:
        _notify(session, a, staff, "appointment_declined", old, message=text)
    else:
        audit.record(session, actor_id=staff.user_id, entity=ENTITY, entity_id=a.id or 0,
                     action="appointment_declined", old=old, new=a.status)
    session.flush()
    return _view(session, a)


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
                            service=_service_name(session, a.service_id, customer.language,
                                                  service.name) if service else "",
                            when=_when(a, customer.language), staff=by.name if by else "",
                            message=f"\n\n{message}" if message else "")


def staff_choices(session: Session, *, actor: Actor | None) -> list[tuple[int, str]]:
    require_staff(actor)
    rows = session.exec(select(User.id, User.name).where(
        col(User.role).in_([r.value for r in STAFF_ROLES]), col(User.active))
        .order_by(User.name)).all()
    return [(i or 0, n) for i, n in rows]


def ics(session: Session, *, actor: Actor | None, appointment_id: object) -> bytes:
    """An iCalendar file of a confirmed appointment, for its customer or staff."""
    from icalendar import Calendar, Event

    viewer = require_login(actor)
    a = session.get(Appointment, record_id(appointment_id))
    if a is None or (a.customer_id != viewer.user_id and not viewer.is_staff):
        raise NotFound()
    if a.status != AppointmentStatus.CONFIRMED:
        raise DomainError("appointment.not_confirmed")
    view = _view(session, a)
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
    return cal.to_ical()


# --- proposals: staff suggest a new time, the customer accepts or rejects in one click -----

def propose_time(session: Session, *, actor: Actor | None, appointment_id: object,
                 staff_id: object, start: object, message: object = "",
                 now: datetime | None = None) -> AppointmentView:
    """Send the customer a new time (and staff member) for a pending request."""
    staff = require_staff(actor)
    a = _pending(session, appointment_id)
    if a.status != AppointmentStatus.PENDING:
        raise InvalidTransition(a.status, "proposed")
    service = _service(session, a.service_id)
    new_staff = _delivers(session, service, staff_id)
    when = rules.parse_start(start)
    if when is None:
        raise ValidationFailed({"start": "appointment.time_invalid"})
    now = now or utcnow()
    local_day = _bookable_day(when.astimezone(business_tz()).date(), now)
    free = slots_for(session, service, new_staff.id or 0, local_day, now, exclude=a.id)
    slot = rules.check_requested_slot(start, free=free)
    token = secrets.token_urlsafe(24)
    a.proposed_start, a.proposed_end = slot.start, slot.end
    a.proposed_staff_id, a.proposal_token_hash = new_staff.id, hash_token(token)
    text = message.strip()[:1000] if isinstance(message, str) else ""
    audit.record(session, actor_id=staff.user_id, entity=ENTITY, entity_id=a.id or 0,
                 action="appointment_proposed", new=slot.start.isoformat(), note=text)
    customer = session.get(User, a.customer_id)
    if customer is not None:
        from reserve_app.i18n import fmt_datetime

        outbox.record_email(session, to=customer.email, kind="appointment_proposal",
                            language=customer.language, name=customer.name,
                            service=_service_name(session, service.id, customer.language,
                                                  service.name),
                            staff=new_staff.name,
                            when=fmt_datetime(slot.start, customer.language,
                                              get_settings().default_timezone),
                            link=f"{get_settings().app_url}/proposal?token={token}",
                            message=f"\n\n{text}" if text else "")
    session.flush()
    return _view(session, a)


def _respond(session: Session, a: Appointment, customer_id: int, accept: bool,
             now: datetime) -> AppointmentView:
    if a.status != AppointmentStatus.PENDING or a.proposed_start is None:
        raise DomainError("appointment.no_proposal")
    service = _service(session, a.service_id)
    staff_id = a.proposed_staff_id or a.staff_id
    proposed = Slot(a.proposed_start, a.proposed_end or a.proposed_start)
    a.proposed_start = a.proposed_end = a.proposed_staff_id = a.proposal_token_hash = None
    if accept:
        db.serialize_on(session, f"staff-time:{staff_id}")
        day = proposed.start.astimezone(business_tz()).date()
        if proposed not in slots_for(session, service, staff_id, day, now, exclude=a.id):
            session.rollback()
            raise SlotTaken("appointment.proposal_taken")
        _confirm_at(session, a, staff_id, proposed)
    audit.record(session, actor_id=customer_id, entity=ENTITY, entity_id=a.id or 0,
                 action="proposal_accepted" if accept else "proposal_rejected",
                 new=proposed.start.isoformat())
    staff = session.get(User, staff_id)
    customer = session.get(User, customer_id)
    if staff is not None and customer is not None:
        outbox.record_email(session, to=staff.email,
                            kind="proposal_accepted" if accept else "proposal_rejected",
                            language=staff.language, name=staff.name, customer=customer.name,
                            service=_service_name(session, service.id, staff.language,
                                                  service.name),
                            when=_when(a, staff.language))
    session.flush()
    return _view(session, a)


def respond_to_proposal(session: Session, *, actor: Actor | None, appointment_id: object,
                        accept: object, now: datetime | None = None) -> AppointmentView:
    """The customer accepts (re-checking the time is still free) or rejects a proposal."""
    customer = require_login(actor)
    if not isinstance(accept, bool):
        raise ValidationFailed({"accept": "field.choice_invalid"})
    a = _pending(session, appointment_id)
    if a.customer_id != customer.user_id:
        raise NotFound()
    return _respond(session, a, customer.user_id, accept, now or utcnow())


def proposal_by_token(session: Session, *, token: object, lang: str = "") -> AppointmentView:
    """The proposal behind an email link (the link's token is the only credential)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        raise NotFound()
    a = session.exec(select(Appointment).where(
        Appointment.proposal_token_hash == hash_token(token))).first()
    if a is None:
        raise NotFound()
    view = _view(session, a)
    return replace(view, service=_service_name(session, a.service_id, lang, view.service))


def respond_by_token(session: Session, *, token: object, accept: object,
                     now: datetime | None = None) -> AppointmentView:
    """One click from the email: accept or reject; the link works once."""
    if not isinstance(accept, bool):
        raise ValidationFailed({"accept": "field.choice_invalid"})
    view = proposal_by_token(session, token=token)
    a = _pending(session, view.id)
    if a.proposal_token_hash != hash_token(str(token)):
        raise NotFound()
    return _respond(session, a, a.customer_id, accept, now or utcnow())
