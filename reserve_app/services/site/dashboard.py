"""Figures for the staff home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, SQLModel, col, func, select

from reserve_app.domain import shop
from reserve_app.domain.accounts import Actor, Role, require_staff
from reserve_app.domain.appointments import AppointmentStatus
from reserve_app.domain.billing import PaymentStatus
from reserve_app.domain.outbox import MessageStatus
from reserve_app.domain.rentals import BookingStatus
from reserve_app.domain.tickets import TicketStatus
from reserve_app.models import (
    Appointment,
    BookingOrder,
    OutboxMessage,
    Payment,
    ShopOrder,
    Ticket,
    User,
)
from reserve_app.models.base import utcnow
from reserve_app.services.rentals import ACTIVE_VALUES, business_today

# Card authorisations lapse after about a week: staff are warned a day before.
HOLD_WARNING = timedelta(days=6)


@dataclass(frozen=True)
class HomeSummary:
    customers: int
    staff: int
    emails_pending: int
    emails_failed: int
    bookings_today: int
    bookings_pending: int
    payments_waiting: int
    requests_waiting: int
    orders_open: int
    orders_new: int
    tickets_open: int = 0
    holds_old: int = 0          # card holds (authorised, not captured) older than 6 days


def home_summary(session: Session, *, actor: Actor | None) -> HomeSummary:
    require_staff(actor)

    def count(model: type[SQLModel], *where: ColumnElement[bool] | bool) -> int:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())

    return HomeSummary(
        customers=count(User, User.role == Role.CUSTOMER.value),
        staff=count(User, User.role != Role.CUSTOMER.value, User.active),
        emails_pending=count(OutboxMessage, OutboxMessage.status == MessageStatus.PENDING.value),
        emails_failed=count(OutboxMessage, OutboxMessage.status == MessageStatus.FAILED.value),
        bookings_today=count(BookingOrder, BookingOrder.start_date == business_today(),
                             col(BookingOrder.status).in_(ACTIVE_VALUES)),
        bookings_pending=count(BookingOrder, BookingOrder.status == BookingStatus.PENDING.value),
        payments_waiting=count(Payment, Payment.status == PaymentStatus.PENDING.value),
        requests_waiting=count(Appointment, Appointment.status == AppointmentStatus.PENDING.value),
        orders_open=count(ShopOrder, col(ShopOrder.status).in_([s.value for s in shop.OPEN])),
        orders_new=count(ShopOrder, ShopOrder.status == shop.OrderStatus.PENDING.value),
        tickets_open=count(Ticket, Ticket.status != TicketStatus.CLOSED.value),
        holds_old=count(Payment, Payment.status == PaymentStatus.AUTHORISED.value,
                        col(Payment.held_at) < utcnow() - HOLD_WARNING),
    )
