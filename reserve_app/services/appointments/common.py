"""What the appointment use cases share: the read model of an appointment (with what it
allows), the lookups of its service and staff member, the lock on a request, and the
business's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from reserve_app.domain import appointments as rules
from reserve_app.domain.appointments import AppointmentStatus
from reserve_app.domain.errors import NotFound
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.models import Appointment, Service, ServiceStaff, User
from reserve_app.services.billing import invoices as billing
from reserve_app.services.platform import db
from reserve_app.services.site import localized
from reserve_app.settings import get_settings

ENTITY = "appointment"
MAX_DAYS_AHEAD = 180


def business_tz() -> ZoneInfo:
    return ZoneInfo(get_settings().default_timezone)


@dataclass(frozen=True)
class AppointmentView:
    """An appointment as its pages show it, with what it allows (from domain.appointments)."""

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
    proposed_start: datetime | None
    proposed_staff: str
    actions: tuple[str, ...]   # the staff's buttons (domain.appointments.actions_for)
    awaits_decision: bool      # a request staff still decide on
    proposal_open: bool        # a proposed time waits for the customer's answer
    payable: bool              # the customer may pay online now
    in_calendar: bool          # has a calendar file (.ics)


def view_of(session: Session, a: Appointment) -> AppointmentView:
    service = session.get(Service, a.service_id)
    staff = session.get(User, a.staff_id)
    customer = session.get(User, a.customer_id)
    invoice = billing.invoice_for(session, ENTITY, a.id or 0)
    pays = billing.payments_of(session, invoice.id or 0) if invoice else []
    payment_status = pays[-1].status if pays else ""
    status = AppointmentStatus(a.status)
    return AppointmentView(
        id=a.id or 0, service=service.name if service else "", staff_id=a.staff_id,
        staff=staff.name if staff else "", customer=customer.name if customer else "",
        start_at=a.start_at, end_at=a.end_at, status=a.status,
        requires_approval=a.requires_approval, price=a.price, currency=a.currency,
        payment_status=payment_status, proposed_start=a.proposed_start,
        proposed_staff=user_name(session, a.proposed_staff_id),
        actions=tuple(rules.actions_for(status)),
        awaits_decision=rules.awaits_decision(status),
        proposal_open=rules.proposal_open(status, proposed=a.proposed_start is not None),
        payable=rules.can_pay(status, requires_approval=a.requires_approval,
                              payment_status=payment_status,
                              stripe=get_settings().stripe_enabled),
        in_calendar=rules.in_calendar(status))


def service_name(session: Session, service_id: int | None, lang: str, own: str) -> str:
    """A service's name in `lang` (e.g. an email's recipient's), else its own."""
    return localized.name(session, Entity.SERVICE, service_id or 0, lang, own)


def user_name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.name if user else ""


def local_time(at: datetime, language: str) -> str:
    """`at` as an email shows it: in `language`, in the business's time zone."""
    from reserve_app.i18n import fmt_datetime

    return fmt_datetime(at, language, get_settings().default_timezone)


def active_service(session: Session, service_id: object) -> Service:
    service = session.get(Service, record_id(service_id))
    if service is None or not service.active:
        raise NotFound()
    return service


def delivering_staff(session: Session, service: Service, staff_id: object) -> User:
    """The active staff member `staff_id` if they deliver `service`, else NotFound."""
    staff_key = record_id(staff_id)
    link = session.get(ServiceStaff, (service.id, staff_key))
    user = session.get(User, staff_key)
    if link is None or user is None or not user.active:
        raise NotFound()
    return user


def locked_request(session: Session, appointment_id: object) -> Appointment:
    """The appointment, locked against concurrent decisions on it, freshly read."""
    return db.locked(session, Appointment, appointment_id, "appointment")
