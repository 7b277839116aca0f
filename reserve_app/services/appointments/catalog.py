"""The services catalogue (admin): bookable services and who delivers them, staff working
hours and days off; the staff list the calendar and the admin page choose from."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlmodel import Session, col, delete, select

from reserve_app.domain import appointments as rules
from reserve_app.domain.accounts import STAFF_ROLES, Actor, require_admin, require_staff
from reserve_app.domain.errors import NotFound, ValidationFailed
from reserve_app.domain.ids import ascii_digits, record_id
from reserve_app.domain.localized import Entity
from reserve_app.domain.money import parse_amount
from reserve_app.domain.periods import parse_day
from reserve_app.domain.rentals import short_text
from reserve_app.models import DayOff, Service, ServiceStaff, User, WorkingHours
from reserve_app.services.platform import audit, db
from reserve_app.services.site import localized

STAFF_ROLE_VALUES = [r.value for r in STAFF_ROLES]


@dataclass(frozen=True)
class ServiceView:
    id: int
    name: str
    duration_minutes: int
    price: Decimal
    requires_approval: bool
    multiple_clients: bool
    staff: list[tuple[int, str]]


def service_view(session: Session, service: Service) -> ServiceView:
    staff = session.exec(
        select(User.id, User.name).join(ServiceStaff, col(ServiceStaff.staff_id) == col(User.id))
        .where(ServiceStaff.service_id == service.id, col(User.active))
        .order_by(col(User.name))
    ).all()
    return ServiceView(service.id or 0, service.name, service.duration_minutes, service.price,
                       service.requires_approval, service.multiple_clients,
                       [(i or 0, n) for i, n in staff])


def list_services(session: Session, *, lang: str = "") -> list[ServiceView]:
    """Active services, named in `lang` where an admin gave a name (the staff pages ask for
    none and get the services' own names)."""
    rows = session.exec(select(Service).where(col(Service.active))
                        .order_by(col(Service.name))).all()
    own = localized.names(session, Entity.SERVICE, [s.id or 0 for s in rows], lang)
    return [replace(view, name=own.get(view.id, view.name))
            for view in (service_view(session, s) for s in rows)]


def _ids(value: object) -> list[int]:
    """The integer ids of a list the page sent (anything else dropped)."""
    items = value if isinstance(value, list) else []
    return [i for i in items if isinstance(i, int) and not isinstance(i, bool)]


def save_service(session: Session, *, actor: Actor | None, name: object, duration_minutes: object,
                 price: object, requires_approval: object, multiple_clients: object,
                 staff_ids: object, service_id: object = None) -> int:
    admin = require_admin(actor)
    errors: dict[str, str] = {}
    clean_name = short_text(name, "name", errors)
    minutes = (duration_minutes if isinstance(duration_minutes, int)
               and not isinstance(duration_minutes, bool)
               and 5 <= duration_minutes <= 12 * 60 else None)
    if minutes is None:
        errors["duration_minutes"] = "appointment.duration_invalid"
    amount = parse_amount(price)
    if amount is None:
        errors["price"] = "field.amount_invalid"
    if not isinstance(requires_approval, bool) or not isinstance(multiple_clients, bool):
        errors["requires_approval"] = "field.choice_invalid"
    ids = staff_ids if isinstance(staff_ids, list) else []
    staff = session.exec(select(User.id).where(
        col(User.id).in_(_ids(ids)), col(User.role).in_(STAFF_ROLE_VALUES))).all() if ids else []
    if not ids or len(staff) != len(set(ids)):
        errors["staff"] = "appointment.pick_staff"
    if errors or minutes is None or amount is None:
        raise ValidationFailed(errors)
    before: dict[str, object] = {}
    if service_id is None:
        service = Service(name=clean_name, duration_minutes=minutes, price=amount)
        session.add(service)
    else:
        found = session.get(Service, record_id(service_id))
        if found is None or not found.active:
            raise NotFound()
        service = found
        db.serialize_on(session, f"service:{service.id}")  # two admins editing: in turn
        session.refresh(service)
        before = _audited(session, service)
        service.name, service.duration_minutes, service.price = clean_name, minutes, amount
    # Appointments already made keep their price, times and slot rule (holds_slot), and
    # whether they needed approval (requires_approval on the appointment): an edit applies
    # to new bookings only.
    service.requires_approval = bool(requires_approval)
    service.multiple_clients = bool(multiple_clients)
    session.flush()
    session.exec(delete(ServiceStaff).where(col(ServiceStaff.service_id) == service.id))
    for staff_id in sorted({i for i in staff if i is not None}):
        session.add(ServiceStaff(service_id=service.id or 0, staff_id=staff_id))
    session.flush()
    if service_id is None:
        audit.record(session, actor_id=admin.user_id, entity="service",
                     entity_id=service.id or 0, action="service_saved",
                     new=f"{clean_name} {minutes} min {amount}")
    else:
        audit.record_changes(session, actor_id=admin.user_id, entity="service",
                             entity_id=service.id or 0, action="service_updated",
                             before=before, after=_audited(session, service))
    session.flush()
    return service.id or 0


def _audited(session: Session, service: Service) -> dict[str, object]:
    """What an edit of a service may change, as its audit row shows it."""
    staff = session.exec(
        select(User.name).join(ServiceStaff, col(ServiceStaff.staff_id) == col(User.id))
        .where(ServiceStaff.service_id == service.id).order_by(col(User.name))).all()
    return {"name": service.name, "minutes": service.duration_minutes,
            "price": service.price, "approval": service.requires_approval,
            "multiple clients": service.multiple_clients, "staff": list(staff)}


def _staff_member(session: Session, staff_id: object) -> User | None:
    user = session.get(User, record_id(staff_id))
    return user if user is not None and user.role in STAFF_ROLE_VALUES else None


def _hour_rows(hours: object) -> dict[object, list[tuple[object, object]]]:
    """{weekday: [["09:00", "17:00"], ...]} as the page sends it (weekdays may come as text),
    else ValidationFailed; weekdays and times are checked by parse_shifts."""
    if not isinstance(hours, dict):
        raise ValidationFailed({"hours": "appointment.hours_invalid"})
    rows: dict[object, object] = {int(k) if isinstance(k, str) and ascii_digits(k) else k: v
                                  for k, v in hours.items()}
    found: dict[object, list[tuple[object, object]]] = {}
    for weekday, pairs in rows.items():
        if not isinstance(pairs, list) or not all(
                isinstance(p, list | tuple) and len(p) == 2 for p in pairs):
            raise ValidationFailed({"hours": "appointment.hours_invalid"})
        found[weekday] = [(p[0], p[1]) for p in pairs]
    return found


def set_hours(session: Session, *, actor: Actor | None, staff_id: object,
              hours: object) -> None:
    """Replace a staff member's weekly hours: {weekday: [["09:00", "17:00"], ...]}."""
    admin = require_admin(actor)
    user = _staff_member(session, staff_id)
    if user is None:
        raise NotFound()
    shifts = rules.parse_shifts(_hour_rows(hours))
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
    user = _staff_member(session, staff_id)
    if user is None:
        raise NotFound()
    found: dict[int, list[tuple[str, str]]] = {}
    for h in session.exec(select(WorkingHours).where(WorkingHours.staff_id == user.id)
                          .order_by(col(WorkingHours.weekday), col(WorkingHours.start))).all():
        found.setdefault(h.weekday, []).append((h.start, h.end))
    return found


def add_day_off(session: Session, *, actor: Actor | None, staff_id: object, day: object) -> None:
    admin = require_admin(actor)
    user = _staff_member(session, staff_id)
    when = parse_day(day)
    if user is None:
        raise NotFound()
    if when is None:
        raise ValidationFailed({"day": "field.date_invalid"})
    if session.get(DayOff, (user.id, when)) is None:
        session.add(DayOff(staff_id=user.id or 0, day=when))
        audit.record(session, actor_id=admin.user_id, entity="user", entity_id=user.id or 0,
                     action="day_off_added", new=when.isoformat())
    session.flush()


def staff_choices(session: Session, *, actor: Actor | None) -> list[tuple[int, str]]:
    require_staff(actor)
    rows = session.exec(select(User.id, User.name).where(
        col(User.role).in_(STAFF_ROLE_VALUES), col(User.active))
        .order_by(col(User.name))).all()
    return [(i or 0, n) for i, n in rows]
