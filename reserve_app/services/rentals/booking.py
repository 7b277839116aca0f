"""The customer's bookings: place one (a free unit of the type, in one serialized
transaction), list them, pay one online."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from reserve_app.domain import holds, rentals
from reserve_app.domain.accounts import Actor, require_login
from reserve_app.domain.billing import InvoiceStatus
from reserve_app.domain.errors import DomainError, NotFound, SlotTaken
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.domain.periods import Period
from reserve_app.domain.rentals import ACTIVE, BookingStatus
from reserve_app.models import BookingOrder, Invoice, RentalSettings, Unit, UnitType
from reserve_app.services.billing import invoices as billing
from reserve_app.services.billing import payments
from reserve_app.services.platform import audit, db, outbox
from reserve_app.services.rentals.search import ACTIVE_VALUES, free, summary
from reserve_app.services.rentals.settings import field_rules, load_settings
from reserve_app.services.site import localized
from reserve_app.settings import get_settings

ORDER = "booking"   # the order kind of a booking order's invoice, audit rows and live events


@dataclass(frozen=True)
class BookingView:
    id: int
    unit_type: str
    unit: str
    start: date
    end: date
    status: str
    total: Decimal
    currency: str
    invoice_status: str
    payment_status: str
    created_at: datetime
    can_pay: bool = False       # the customer may press "Pay" (domain.rentals.can_pay)


def place_booking(session: Session, *, actor: Actor | None, entry_id: object,
                  unit_type_id: object, start: object, end: object, answers: object,
                  today: date | None = None) -> BookingView:
    """Book one free unit of the type for the period (the customer is the caller)."""
    customer = require_login(actor)
    offer = summary(session, entry_id=entry_id, unit_type_id=unit_type_id, start=start,
                    end=end, today=today)
    clean_answers = rentals.check_answers(field_rules(session), answers)
    settings = load_settings(session)
    status = rentals.BookingStatus(settings.initial_status)
    check_unpaid_limit(session, customer.user_id)
    db.serialize_on(session, f"rental:type:{offer.unit_type_id}")
    unit_id = _free_unit_id(session, offer.unit_type_id, offer.period)
    if unit_id is None:
        raise SlotTaken("rental.sold_out")
    q = offer.quote
    order = BookingOrder(customer_id=customer.user_id, unit_type_id=offer.unit_type_id,
                         unit_id=unit_id, start_date=offer.period.start,
                         end_date=offer.period.end, status=status.value,
                         price_per_day=q.price_per_day, tax_rate=q.tax_rate,
                         subtotal=q.subtotal, tax=q.tax, total=q.total,
                         currency=get_settings().currency,
                         answers=json.dumps(clean_answers, ensure_ascii=False))
    try:
        with session.begin_nested():   # a refused insert ends the savepoint, not the work
            session.add(order)
            session.flush()
    except IntegrityError:  # PostgreSQL exclusion constraint: someone else got the unit
        raise SlotTaken("rental.sold_out") from None
    audit.record(session, actor_id=customer.user_id, entity=ORDER, entity_id=order.id or 0,
                 action="booking_placed", new=status.value)
    outbox.record_email(session, to=customer.email, kind="booking_received",
                        language=customer.language, name=customer.name, order=order.id,
                        unit_type=localized.name(session, Entity.UNIT_TYPE, offer.unit_type_id,
                                                 customer.language, offer.name),
                        start=offer.period.start.isoformat(),
                        end=offer.period.end.isoformat(), total=f"{q.total} {order.currency}")
    session.flush()
    return booking_view(session, order, settings)


def unpaid_count(session: Session, customer_id: int) -> int:
    """Bookings of the customer that hold a unit (pending or confirmed) with no paid invoice."""
    paid = exists().where(col(Invoice.order_kind) == ORDER,
                          col(Invoice.order_id) == BookingOrder.id,
                          col(Invoice.status) == InvoiceStatus.PAID.value)
    return int(session.exec(select(func.count()).select_from(BookingOrder).where(
        col(BookingOrder.customer_id) == customer_id,
        col(BookingOrder.status).in_(ACTIVE_VALUES), ~paid)).one())


def check_unpaid_limit(session: Session, customer_id: int) -> None:
    """Refuse a new booking when the customer already holds MAX_UNPAID_BOOKINGS unpaid ones
    (serialized per customer, so parallel requests cannot all pass the count)."""
    limit = get_settings().max_unpaid_bookings
    if limit:
        db.serialize_on(session, f"rental:customer:{customer_id}")
        holds.check_limit(unpaid_count(session, customer_id), limit,
                          key="rental.too_many_unpaid")


def _free_unit_id(session: Session, unit_type_id: int, period: Period) -> int | None:
    return session.exec(select(Unit.id).where(Unit.unit_type_id == unit_type_id,
                                              col(Unit.active), free(period))
                        .order_by(col(Unit.id)).limit(1)).first()


def booking_view(session: Session, order: BookingOrder,
                 settings: RentalSettings | None = None) -> BookingView:
    """The order as its pages show it, with what the customer may do with it."""
    unit_type = session.get(UnitType, order.unit_type_id)
    unit = session.get(Unit, order.unit_id)
    invoice = billing.invoice_for(session, ORDER, order.id or 0)
    pay = billing.payments_of(session, invoice.id or 0) if invoice else []
    invoice_status = invoice.status if invoice else ""
    payment_status = pay[-1].status if pay else ""
    payments_enabled = (settings or load_settings(session)).payments_enabled
    return BookingView(order.id or 0, unit_type.name if unit_type else "",
                       unit.name if unit else "", order.start_date, order.end_date,
                       order.status, order.total, order.currency, invoice_status,
                       payment_status, order.created_at,
                       rentals.can_pay(BookingStatus(order.status),
                                       payments_enabled=payments_enabled,
                                       invoice_status=invoice_status,
                                       payment_status=payment_status,
                                       stripe_enabled=get_settings().stripe_enabled))


def my_bookings(session: Session, *, actor: Actor | None, lang: str = "") -> list[BookingView]:
    """The caller's bookings, newest first, unit types named in `lang` where one is given."""
    customer = require_login(actor)
    rows = session.exec(select(BookingOrder).where(BookingOrder.customer_id == customer.user_id)
                        .order_by(col(BookingOrder.id).desc()).limit(100)).all()
    type_names = localized.names(session, Entity.UNIT_TYPE, [o.unit_type_id for o in rows], lang)
    settings = load_settings(session)
    return [replace(view, unit_type=type_names.get(o.unit_type_id, view.unit_type))
            for o in rows for view in [booking_view(session, o, settings)]]


def _own_order(session: Session, actor: Actor, order_id: object) -> BookingOrder:
    order = session.get(BookingOrder, record_id(order_id))
    if order is None or order.customer_id != actor.user_id:
        raise NotFound()  # another customer's booking is not even acknowledged
    return order


def pay_booking(session: Session, *, actor: Actor | None, order_id: object) -> BookingView:
    """Customer pays the booking invoice online: a draft invoice and a pending payment."""
    customer = require_login(actor)
    order = _own_order(session, customer, order_id)
    settings = load_settings(session)
    if not settings.payments_enabled:
        raise DomainError("rental.payments_disabled")
    db.serialize_on(session, f"invoice:{ORDER}:{order.id}")  # a double click pays once
    session.refresh(order)   # read under the lock: the hold may have expired meanwhile
    if rentals.BookingStatus(order.status) not in ACTIVE:
        raise DomainError("rental.not_payable")
    invoice = billing.draft_invoice(session, order_kind=ORDER, order_id=order.id or 0,
                                    customer_id=customer.user_id, subtotal=order.subtotal,
                                    tax=order.tax, total=order.total, currency=order.currency)
    payment = payments.start_or_resume(session, invoice)
    if payment is not None:
        audit.record(session, actor_id=customer.user_id, entity=ORDER, entity_id=order.id or 0,
                     action="payment_started", new=f"{payment.provider} {payment.amount}")
    session.flush()
    return booking_view(session, order, settings)
