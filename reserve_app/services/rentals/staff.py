"""Staff side of booking orders: the filtered list, an order's page, status changes, and
the payment approved or paid in cash at the desk."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, and_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from reserve_app.domain import billing as billing_rules
from reserve_app.domain import rentals
from reserve_app.domain.accounts import Actor, require_admin, require_staff
from reserve_app.domain.errors import DomainError, NotFound, SlotTaken, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.periods import Period, parse_day
from reserve_app.domain.rentals import ACTIVE, BookingStatus
from reserve_app.models import BookingOrder, Payment, Unit, UnitType, User
from reserve_app.models.base import utcnow
from reserve_app.services.billing import invoices as billing
from reserve_app.services.platform import audit, db, outbox
from reserve_app.services.rentals.booking import ORDER, BookingView, booking_view
from reserve_app.services.rentals.search import ACTIVE_VALUES
from reserve_app.services.rentals.settings import list_fields

PAGE_SIZE = 20


@dataclass(frozen=True)
class OrderRow:
    id: int
    customer: str
    unit_type: str
    unit: str
    start: date
    end: date
    status: str
    total: Decimal
    currency: str


def list_orders(session: Session, *, actor: Actor | None, status: object = "",
                start: object = "", end: object = "", unit_type_id: object = None,
                page: object = 1) -> tuple[list[OrderRow], int]:
    """Booking orders, newest first, filtered by status, overlap with a period, unit type."""
    require_staff(actor)
    where: list[ColumnElement[bool]] = []
    if status:
        where.append(col(BookingOrder.status) == rentals.parse_status(status).value)
    if start or end:
        period = _filter_period(start, end)
        where += [col(BookingOrder.start_date) < period.end,
                  col(BookingOrder.end_date) > period.start]
    if unit_type_id is not None:
        where.append(col(BookingOrder.unit_type_id) == record_id(unit_type_id))
    page_no = page if isinstance(page, int) and not isinstance(page, bool) and page > 0 else 1
    total = int(session.exec(select(func.count()).select_from(BookingOrder)
                             .where(and_(True, *where))).one())
    rows = session.exec(
        select(BookingOrder, User.name, UnitType.name, Unit.name)
        .join(User, col(User.id) == BookingOrder.customer_id)
        .join(UnitType, col(UnitType.id) == BookingOrder.unit_type_id)
        .join(Unit, col(Unit.id) == BookingOrder.unit_id)
        .where(and_(True, *where)).order_by(col(BookingOrder.id).desc())
        .offset((page_no - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return [OrderRow(o.id or 0, customer, type_name, unit_name, o.start_date, o.end_date,
                     o.status, o.total, o.currency)
            for o, customer, type_name, unit_name in rows], total


def _filter_period(start: object, end: object) -> Period:
    first, last = parse_day(start) if start else date.min, parse_day(end) if end else date.max
    if first is None or last is None or last <= first:
        raise ValidationFailed({"period": "rental.end_before_start"})
    return Period(first, last)


@dataclass(frozen=True)
class OrderDetail:
    booking: BookingView
    customer_name: str
    customer_email: str
    answers: list[tuple[str, str]]
    invoice: billing.InvoiceView | None
    payments: list[billing.PaymentView]
    history: list[audit.AuditView]
    next_statuses: list[str]        # domain.rentals.actions_for: the "Change status" choices
    payable: bool = False           # money can still be recorded (e.g. paid in cash)


def order_detail(session: Session, *, actor: Actor | None, order_id: object) -> OrderDetail:
    require_staff(actor)
    order = session.get(BookingOrder, record_id(order_id))
    if order is None:
        raise NotFound()
    customer = session.get(User, order.customer_id)
    labels = {str(f.id): f.label for f in list_fields(session)}
    answers = [(labels.get(k, k), v) for k, v in json.loads(order.answers or "{}").items()]
    invoice = billing.invoice_for(session, ORDER, order.id or 0)
    return OrderDetail(
        booking_view(session, order), customer.name if customer else "",
        customer.email if customer else "", answers,
        billing.invoice_view(invoice) if invoice else None,
        billing.payments_of(session, invoice.id or 0) if invoice else [],
        sorted(audit.history(session, entity=ORDER, entity_id=order.id or 0)
               + _payment_history(session, invoice.id if invoice else None),
               key=lambda h: h.at),
        [s.value for s in rentals.actions_for(BookingStatus(order.status))],
        billing_rules.invoice_open(invoice.status if invoice else None),
    )


def _payment_history(session: Session, invoice_id: int | None) -> list[audit.AuditView]:
    if invoice_id is None:
        return []
    ids = session.exec(select(Payment.id).where(Payment.invoice_id == invoice_id)).all()
    return [h for pid in ids for h in audit.history(session, entity="payment",
                                                     entity_id=pid or 0)]


def change_status(session: Session, *, actor: Actor | None, order_id: object, status: object,
                  note: object = "") -> OrderDetail:
    staff = require_staff(actor)
    new = rentals.parse_status(status)
    clean_note = note.strip()[:1000] if isinstance(note, str) else ""
    order = session.get(BookingOrder, record_id(order_id))
    if order is None:
        raise NotFound()
    db.serialize_on(session, f"rental:type:{order.unit_type_id}")
    session.refresh(order)
    current = BookingStatus(order.status)
    rentals.transition(current, new)
    if rentals.reactivates(current, new):
        period = Period(order.start_date, order.end_date)
        if _unit_taken(session, order, period):
            raise SlotTaken("rental.unit_taken_meanwhile")
    try:
        with session.begin_nested():   # a refused update ends the savepoint, not the work
            order.status = new.value
            session.flush()
    except IntegrityError:  # the exclusion constraint: the unit was taken meanwhile
        raise SlotTaken("rental.unit_taken_meanwhile") from None
    audit.record(session, actor_id=staff.user_id, entity=ORDER, entity_id=order.id or 0,
                 action="status_changed", old=current.value, new=new.value, note=clean_note)
    customer = session.get(User, order.customer_id)
    if customer is not None:
        outbox.record_email(session, to=customer.email, kind="booking_status",
                            language=customer.language, name=customer.name, order=order.id,
                            status=new.value)
    session.flush()
    return order_detail(session, actor=staff, order_id=order.id)


def _unit_taken(session: Session, order: BookingOrder, period: Period) -> bool:
    return session.exec(select(BookingOrder.id).where(
        BookingOrder.unit_id == order.unit_id, BookingOrder.id != order.id,
        col(BookingOrder.status).in_(ACTIVE_VALUES),
        col(BookingOrder.start_date) < period.end, col(BookingOrder.end_date) > period.start,
    ).limit(1)).first() is not None


def approve_booking_payment(session: Session, *, actor: Actor | None, order_id: object,
                            payment_id: object) -> OrderDetail:
    """Admin approves the booking's pending payment: the invoice is issued and paid."""
    order = session.get(BookingOrder, record_id(order_id)) if require_staff(actor) else None
    if order is None:
        raise NotFound()
    invoice = billing.invoice_for(session, ORDER, order.id or 0)
    if invoice is None or payment_id not in [p.id for p in billing.payments_of(
            session, invoice.id or 0)]:
        raise NotFound()
    invoice = billing.approve_payment(session, actor=actor, payment_id=payment_id)
    customer = session.get(User, order.customer_id)
    if customer is not None:
        outbox.record_email(session, to=customer.email, kind="payment_approved",
                            language=customer.language, name=customer.name, order=order.id,
                            invoice=invoice.number or "",
                            total=f"{invoice.total} {invoice.currency}")
    session.flush()
    return order_detail(session, actor=actor, order_id=order.id)


def record_cash_payment(session: Session, *, actor: Actor | None, order_id: object,
                        now: datetime | None = None) -> OrderDetail:
    """Admin records that the customer paid the booking in cash: an approved manual payment,
    the invoice issued and paid. (Any card hold at Stripe is released by the caller first.)"""
    admin = require_admin(actor)
    now = now or utcnow()
    # read under the lock: the hold may have expired meanwhile
    order = db.locked(session, BookingOrder, order_id, f"invoice:{ORDER}")
    if rentals.BookingStatus(order.status) not in ACTIVE:
        raise DomainError("rental.not_payable")
    invoice = billing.draft_invoice(session, order_kind=ORDER, order_id=order.id or 0,
                                    customer_id=order.customer_id, subtotal=order.subtotal,
                                    tax=order.tax, total=order.total, currency=order.currency)
    if not billing_rules.invoice_open(invoice.status):
        raise DomainError("rental.already_paid")
    payment = Payment(invoice_id=invoice.id or 0, provider=billing_rules.MANUAL_PROVIDER,
                      method="cash", amount=invoice.total,
                      status=billing_rules.PaymentStatus.PENDING.value)
    session.add(payment)
    session.flush()
    billing.approve_payment(session, actor=admin, payment_id=payment.id, now=now)
    audit.record(session, actor_id=admin.user_id, entity=ORDER,
                 entity_id=order.id or 0, action="paid_in_cash", new=str(invoice.total))
    session.flush()
    return order_detail(session, actor=admin, order_id=order.id)


def unit_type_choices(session: Session, *, actor: Actor | None) -> list[tuple[int, str]]:
    require_staff(actor)
    return [(t.id or 0, t.name)
            for t in session.exec(select(UnitType).order_by(col(UnitType.name)))]
