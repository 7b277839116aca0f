"""Appointments: request statuses and the slot engine.

Times are stored in UTC and generated from each staff member's working hours in the business's
time zone, so a daylight-saving change never shifts a slot: 09:00 stays 09:00 local time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .billing import OPEN_PAYMENTS, PaymentStatus
from .errors import InvalidTransition, ValidationFailed


class AppointmentStatus(StrEnum):
    PENDING = "pending"      # a request waiting for staff approval
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


ALLOWED: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    AppointmentStatus.PENDING: frozenset({AppointmentStatus.CONFIRMED,
                                          AppointmentStatus.DECLINED,
                                          AppointmentStatus.CANCELLED}),
    AppointmentStatus.CONFIRMED: frozenset({AppointmentStatus.CANCELLED}),
    AppointmentStatus.DECLINED: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
}


def transition(current: AppointmentStatus, new: AppointmentStatus) -> AppointmentStatus:
    if new not in ALLOWED[current]:
        raise InvalidTransition(current, new)
    return new


class AppointmentAction(StrEnum):
    """What staff may do with a request (the buttons of the booking calendar)."""

    APPROVE = "approve"
    RESCHEDULE = "reschedule"  # approve at another time and/or with another staff member
    PROPOSE = "propose"        # offer the customer another time; their yes confirms it
    DECLINE = "decline"


ACTION_TARGET: dict[AppointmentAction, AppointmentStatus] = {
    AppointmentAction.APPROVE: AppointmentStatus.CONFIRMED,
    AppointmentAction.RESCHEDULE: AppointmentStatus.CONFIRMED,
    AppointmentAction.PROPOSE: AppointmentStatus.CONFIRMED,
    AppointmentAction.DECLINE: AppointmentStatus.DECLINED,
}


def actions_for(status: AppointmentStatus) -> list[str]:
    """The staff actions the transition table allows from `status`, in the buttons' order."""
    return [a.value for a, target in ACTION_TARGET.items() if target in ALLOWED[status]]


def awaits_decision(status: AppointmentStatus) -> bool:
    """A request staff have not decided on yet: it may still be confirmed or declined."""
    return {AppointmentStatus.CONFIRMED, AppointmentStatus.DECLINED} <= ALLOWED[status]


def proposal_open(status: AppointmentStatus, *, proposed: bool) -> bool:
    """A time staff proposed waits for the customer's answer while the request is undecided."""
    return proposed and awaits_decision(status)


def in_calendar(status: AppointmentStatus) -> bool:
    """Only a confirmed appointment has a calendar file (.ics)."""
    return status is AppointmentStatus.CONFIRMED


def can_pay(status: AppointmentStatus, *, requires_approval: bool, payment_status: str,
            stripe: bool) -> bool:
    """May the customer pay online? A Book Now appointment once confirmed; a request never,
    even after it is approved. While a payment is under way "Pay" is offered again only to
    resume an unfinished Stripe Checkout (a pending payment with Stripe on)."""
    if requires_approval or status is not AppointmentStatus.CONFIRMED:
        return False
    return payment_status not in OPEN_PAYMENTS or (
        stripe and payment_status == PaymentStatus.PENDING)


def holds_slot(status: AppointmentStatus, *, multiple_clients: bool) -> bool:
    """Confirmed appointments hold their slot; a pending request holds it only when the
    service does not let several clients request the same time."""
    if status is AppointmentStatus.CONFIRMED:
        return True
    return status is AppointmentStatus.PENDING and not multiple_clients


@dataclass(frozen=True)
class Shift:
    """Working hours on one weekday (0 = Monday), local wall-clock times, start < end."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    end: datetime    # UTC


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def candidate_slots(
    *, day: date, shifts: Iterable[Shift], days_off: Iterable[date], duration: timedelta,
    tz: ZoneInfo, step: timedelta | None = None,
) -> list[Slot]:
    """Every slot of `duration` inside the shifts of that weekday (none on a day off).

    Slots start at the shift start and every `step` (default: the duration) after it, in
    local time, and are returned in UTC.
    """
    if day in set(days_off) or duration <= timedelta(0):
        return []
    step = step or duration
    slots: list[Slot] = []
    for shift in sorted((s for s in shifts if s.weekday == day.weekday()), key=lambda s: s.start):
        # Step in real (UTC) time from the shift's local start to its local end, so a shift
        # over a night with a clock change yields real, equal-length slots.
        start = _local(day, shift.start, tz).astimezone(UTC)
        finish = _local(day, shift.end, tz).astimezone(UTC)
        while start + duration <= finish:
            slots.append(Slot(start, start + duration))
            start = start + step
    return slots


def free_slots(
    *, candidates: Sequence[Slot], busy: Iterable[tuple[datetime, datetime]], now: datetime,
) -> list[Slot]:
    """Candidates that start in the future and overlap no busy [start, end)."""
    taken = list(busy)
    return [s for s in candidates if s.start > now
            and not any(s.start < b_end and b_start < s.end for b_start, b_end in taken)]


def parse_start(value: object) -> datetime | None:
    """An aware datetime from ISO text (as the page sends it); naive or other values: None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def check_requested_slot(start: object, *, free: Sequence[Slot]) -> Slot:
    """The free slot starting at `start`, or ValidationFailed (outside hours, taken, past)."""
    when = parse_start(start)
    if when is None:
        raise ValidationFailed({"start": "appointment.time_invalid"})
    for slot in free:
        if slot.start == when:
            return slot
    raise ValidationFailed({"start": "appointment.slot_unavailable"})


def parse_shifts(rows: Mapping[object, Sequence[tuple[object, object]]]) -> list[Shift]:
    """Shifts from "HH:MM" pairs per weekday (0-6); ValidationFailed on a bad weekday, or on
    bad or reversed times."""
    shifts: list[Shift] = []
    for weekday, pairs in rows.items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValidationFailed({"weekday": "field.choice_invalid"})
        for start_text, end_text in pairs:
            if not (isinstance(start_text, str) and isinstance(end_text, str)) or not all(
                    re.fullmatch(r"\d{2}:\d{2}", v) for v in (start_text, end_text)):
                raise ValidationFailed({f"hours_{weekday}": "appointment.hours_invalid"})
            try:
                start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
            except ValueError:
                raise ValidationFailed({f"hours_{weekday}": "appointment.hours_invalid"}) from None
            if start >= end:
                raise ValidationFailed({f"hours_{weekday}": "appointment.hours_invalid"})
            shifts.append(Shift(weekday, start, end))
    return shifts
