"""Display rows for appointments (locale-aware), shared by the appointment states: what a
record allows arrives in the read model (services.appointments.AppointmentView) and is
passed on as it is."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reserve_app.i18n import fmt_date, fmt_datetime, fmt_money, translate
from reserve_app.services.appointments import AppointmentView, ServiceView, StaffSlots


@dataclass
class ServiceCard:
    id: int
    name: str
    minutes: int
    price: str
    requires_approval: bool


def service_card(s: ServiceView, currency: str, lang: str) -> ServiceCard:
    return ServiceCard(s.id, s.name, s.duration_minutes, fmt_money(s.price, currency, lang),
                       s.requires_approval)


@dataclass
class TimeChoice:
    staff_id: int
    staff_name: str
    start: str  # ISO, UTC
    label: str  # local time


def time_choices(found: list[StaffSlots], tz: ZoneInfo) -> list[TimeChoice]:
    return [TimeChoice(s.staff_id, s.staff_name, slot.start.isoformat(),
                       slot.start.astimezone(tz).strftime("%H:%M"))
            for s in found for slot in s.slots]


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
    proposed: str       # the proposed time waiting for the customer's answer, else ""
    in_calendar: bool   # "Add to calendar" (.ics)


def appointment_row(v: AppointmentView, lang: str, tz: str) -> AppointmentRow:
    return AppointmentRow(v.id, v.service, v.staff, fmt_datetime(v.start_at, lang, tz), v.status,
                          translate(lang, f"appointment.status.{v.status}"),
                          fmt_money(v.price, v.currency, lang), v.payable, v.payment_status,
                          translate(lang, f"payment.status.{v.payment_status or 'none'}"),
                          f"{fmt_datetime(v.proposed_start, lang, tz)} · {v.proposed_staff}"
                          if v.proposed_start and v.proposal_open else "", v.in_calendar)


@dataclass
class CalendarItem:
    id: int
    day: str
    day_iso: str
    staff_id: str
    time: str
    service: str
    staff: str
    customer: str
    status: str
    status_label: str
    proposed: str
    actions: list[str]       # domain.appointments.actions_for: the buttons shown
    awaits_decision: bool    # a request: drawn apart from confirmed appointments


def calendar_item(v: AppointmentView, lang: str, tz: ZoneInfo) -> CalendarItem:
    """An appointment in the staff calendar, in the business's time (staff plan in it)."""
    return CalendarItem(
        v.id, fmt_date(v.start_at, lang, str(tz)), v.start_at.astimezone(tz).date().isoformat(),
        str(v.staff_id), v.start_at.astimezone(tz).strftime("%H:%M"),
        v.service, v.staff, v.customer, v.status,
        translate(lang, f"appointment.status.{v.status}"),
        f"{fmt_datetime(v.proposed_start, lang, str(tz))} · {v.proposed_staff}"
        if v.proposed_start else "", list(v.actions), v.awaits_decision)


@dataclass
class StaffChoice:
    value: str
    label: str


def staff_choice_list(staff: list[tuple[int, str]]) -> list[StaffChoice]:
    return [StaffChoice(str(i), n) for i, n in staff]


@dataclass
class ServiceRow:
    id: int
    name: str
    minutes: int
    price: str
    price_raw: str
    requires_approval: bool
    multiple_clients: bool
    staff: str
    staff_ids: list[str]


def service_row(s: ServiceView, currency: str, lang: str) -> ServiceRow:
    return ServiceRow(s.id, s.name, s.duration_minutes, fmt_money(s.price, currency, lang),
                      str(s.price), s.requires_approval, s.multiple_clients,
                      ", ".join(n for _, n in s.staff), [str(i) for i, _ in s.staff])
