"""Free times: a staff member's slots from their hours, days off and the appointments that
hold their time; moving a request onto a slot (guarded by the database against overlaps)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from reserve_app.domain import appointments as rules
from reserve_app.domain.appointments import AppointmentStatus, Slot
from reserve_app.domain.errors import SlotTaken, ValidationFailed
from reserve_app.domain.periods import parse_day
from reserve_app.models import Appointment, DayOff, Service, WorkingHours
from reserve_app.models.base import utcnow

from .catalog import service_view
from .common import MAX_DAYS_AHEAD, active_service, business_tz


def busy(session: Session, staff_id: int, start: datetime, end: datetime,
         exclude: int | None = None) -> list[Appointment]:
    """The appointments holding `staff_id`'s time within [start, end)."""
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
    days_off = session.exec(select(col(DayOff.day)).where(DayOff.staff_id == staff_id)).all()
    candidates = rules.candidate_slots(day=day, shifts=shifts, days_off=days_off,
                                       duration=timedelta(minutes=service.duration_minutes),
                                       tz=tz)
    if not candidates:
        return []
    taken = busy(session, staff_id, candidates[0].start, candidates[-1].end, exclude)
    return rules.free_slots(candidates=candidates,
                            busy=[(a.start_at, a.end_at) for a in taken], now=now)


def bookable_day(when: date | None, now: datetime) -> date:
    """A day from today (business time) up to MAX_DAYS_AHEAD, else ValidationFailed."""
    today = now.astimezone(business_tz()).date()
    if when is None:
        raise ValidationFailed({"day": "field.date_invalid"})
    if when < today or when > today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed({"day": "appointment.day_out_of_range"})
    return when


def free_slot_at(session: Session, service: Service, staff_id: int, when: datetime,
                 start: object, now: datetime, exclude: int | None = None) -> Slot:
    """The free slot of `staff_id` starting at `when` (`start` as the page sent it), else
    ValidationFailed (day out of range, outside hours, taken, past)."""
    local_day = bookable_day(when.astimezone(business_tz()).date(), now)
    free = slots_for(session, service, staff_id, local_day, now, exclude=exclude)
    return rules.check_requested_slot(start, free=free)


def requested_start(start: object) -> datetime:
    when = rules.parse_start(start)
    if when is None:
        raise ValidationFailed({"start": "appointment.time_invalid"})
    return when


@dataclass(frozen=True)
class StaffSlots:
    staff_id: int
    staff_name: str
    slots: list[Slot]


def free_slots(session: Session, *, service_id: object, day: object,
               now: datetime | None = None) -> list[StaffSlots]:
    service = active_service(session, service_id)
    now = now or utcnow()
    when = bookable_day(parse_day(day), now)
    view = service_view(session, service)
    return [StaffSlots(staff_id, name, slots_for(session, service, staff_id, when, now))
            for staff_id, name in view.staff]


@contextmanager
def holding_time(session: Session,
                 refused: str = "appointment.slot_unavailable") -> Iterator[None]:
    """The changes made inside are flushed in a savepoint: a row the database refuses as
    overlapping another that holds the time (exclusion constraint on PostgreSQL, trigger on
    SQLite) becomes SlotTaken(`refused`), and the unit of work stays usable."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError:
        raise SlotTaken(refused) from None


def confirm_at(session: Session, a: Appointment, staff_id: int, slot: Slot) -> None:
    """Move a pending request to `slot` with `staff_id` and confirm it, or SlotTaken."""
    rules.transition(AppointmentStatus(a.status), AppointmentStatus.CONFIRMED)
    conflict = busy(session, staff_id, slot.start, slot.end, exclude=a.id)
    if conflict:
        raise SlotTaken("appointment.conflict", other=conflict[0].id)
    with holding_time(session):
        a.staff_id, a.start_at, a.end_at = staff_id, slot.start, slot.end
        a.status, a.holds_slot = AppointmentStatus.CONFIRMED.value, True
