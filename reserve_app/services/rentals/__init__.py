"""Rental use cases: search, book, pay (customer); list, change status, approve (staff).

Double booking is impossible by construction: a booking runs the availability check and the
insert in one transaction that is serialized per unit type (SQLite: BEGIN IMMEDIATE;
PostgreSQL: an advisory lock), and on PostgreSQL an exclusion constraint on
(unit_id, daterange(start, end, '[)')) for active bookings refuses any overlap that got past.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from reserve_app.domain import rentals
from reserve_app.domain.accounts import Actor, require_admin, require_login, require_staff
from reserve_app.domain.errors import DomainError, NotFound, SlotTaken, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.domain.periods import Period, check_period
from reserve_app.domain.rentals import ACTIVE, BookingStatus
from reserve_app.models import (
    BookingOrder,
    MenuEntry,
    MenuEntryUnitType,
    Payment,
    Unit,
    UnitType,
    User,
)
from reserve_app.models.base import utcnow
from reserve_app.services.billing import invoices as billing
from reserve_app.services.billing import payments
from reserve_app.services.platform import audit, db, outbox
from reserve_app.services.rentals.catalog import RENTAL, field_rules, list_fields, load_settings
from reserve_app.services.site import localized
from reserve_app.settings import get_settings

ACTIVE_VALUES = tuple(s.value for s in ACTIVE)
PAGE_SIZE = 20
ORDER = "booking"


def business_today() -> date:
    return datetime.now(ZoneInfo(get_settings().default_timezone)).date()



# --- storefront ------------------------------------------------------------------------------

@dataclass(frozen=True)
class OfferView:
    unit_type_id: int
    name: str
    description: str
    photo_url: str
    quote: rentals.Quote
    free_units: int


@dataclass(frozen=True)
class RentalPage:
    entry_id: int
    title: str
    booking_enabled: bool
    max_days: int


def rental_page(session: Session, *, entry_id: object, lang: str = "") -> RentalPage:
    """The rental menu entry's page, titled in `lang` where an admin gave one."""
    entry = session.get(MenuEntry, record_id(entry_id))
    if entry is None or entry.kind != RENTAL or not entry.active:
        raise NotFound()
    s = load_settings(session)
    title = localized.name(session, Entity.MENU_ENTRY, entry.id or 0, lang, entry.title)
    return RentalPage(entry.id or 0, title, s.booking_enabled, s.max_days)


def _offered_types(session: Session, entry_id: int) -> list[UnitType]:
    return list(session.exec(
        select(UnitType).join(MenuEntryUnitType,
                              col(MenuEntryUnitType.unit_type_id) == UnitType.id)
        .where(MenuEntryUnitType.menu_entry_id == entry_id, col(UnitType.active))
        .order_by(UnitType.price_per_day, UnitType.name)
    ).all())


# Written out (not bound parameters) so SQLite and PostgreSQL can use the partial index
# ix_booking_orders_unit_active, whose WHERE clause is this same text.
ACTIVE_SQL = text("booking_orders.status IN ('pending', 'confirmed')")


def _free(period: Period):  # noqa: ANN202 - SQL expression
    """`Unit` has no active booking overlapping the period.

    Active bookings of one unit never overlap (the guard below), so sorted by start they are
    sorted by end too: the unit is free iff the latest active booking that starts before the
    period's end has ended by the period's start. That is one index seek per unit, instead
    of scanning every earlier booking of the unit.
    """
    latest_end = (
        select(BookingOrder.end_date)
        .where(BookingOrder.unit_id == Unit.id, ACTIVE_SQL,
               col(BookingOrder.start_date) < period.end)
        .order_by(col(BookingOrder.unit_id).desc(), col(BookingOrder.start_date).desc())
        .limit(1).correlate(Unit).scalar_subquery()
    )
    return func.coalesce(latest_end, period.start) <= period.start


def _page_period(session: Session, entry_id: object, start: object, end: object,
                 today: date | None) -> tuple[RentalPage, Period]:
    page = rental_page(session, entry_id=entry_id)
    if not page.booking_enabled:
        raise DomainError("rental.booking_disabled")
    period = check_period(start, end, today=today or business_today(), max_days=page.max_days)
    return page, period


def search(session: Session, *, entry_id: object, start: object, end: object,
           today: date | None = None, lang: str = "") -> list[OfferView]:
    """Unit types of the menu entry with at least one unit free for the whole period, named
    and described in `lang` where an admin gave it."""
    page, period = _page_period(session, entry_id, start, end, today)
    rows = session.exec(
        select(UnitType, func.count(col(Unit.id)))
        .join(MenuEntryUnitType, col(MenuEntryUnitType.unit_type_id) == UnitType.id)
        .join(Unit, and_(col(Unit.unit_type_id) == UnitType.id, col(Unit.active),
                         _free(period)))
        .where(MenuEntryUnitType.menu_entry_id == page.entry_id, col(UnitType.active))
        .group_by(col(UnitType.id)).order_by(UnitType.price_per_day, UnitType.name)
    ).all()
    own = localized.texts(session, Entity.UNIT_TYPE, [t.id or 0 for t, _ in rows], lang)
    return [OfferView(t.id or 0, own.get(t.id or 0, {}).get("name", t.name),
                      own.get(t.id or 0, {}).get("description", t.description), t.photo_url,
                      rentals.quote(t.price_per_day, t.tax_rate, period), int(free))
            for t, free in rows]


@dataclass(frozen=True)
class Summary:
    entry_id: int
    unit_type_id: int
    name: str
    period: Period
    quote: rentals.Quote
    fields: list


def summary(session: Session, *, entry_id: object, unit_type_id: object, start: object,
            end: object, today: date | None = None, lang: str = "") -> Summary:
    page, period = _page_period(session, entry_id, start, end, today)
    type_id = record_id(unit_type_id)
    unit_type = next((t for t in _offered_types(session, page.entry_id) if t.id == type_id), None)
    if unit_type is None:
        raise NotFound()
    return Summary(page.entry_id, type_id,
                   localized.name(session, Entity.UNIT_TYPE, type_id, lang, unit_type.name),
                   period,
                   rentals.quote(unit_type.price_per_day, unit_type.tax_rate, period),
                   list_fields(session, shown_only=True))


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
    session.add(order)
    try:
        session.flush()
    except IntegrityError:  # PostgreSQL exclusion constraint: someone else got the unit
        session.rollback()
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
    return _booking_view(session, order)


def _free_unit_id(session: Session, unit_type_id: int, period: Period) -> int | None:
    return session.exec(select(Unit.id).where(Unit.unit_type_id == unit_type_id,
                                              col(Unit.active), _free(period))
                        .order_by(Unit.id).limit(1)).first()


def _booking_view(session: Session, order: BookingOrder) -> BookingView:
    unit_type = session.get(UnitType, order.unit_type_id)
    unit = session.get(Unit, order.unit_id)
    invoice = billing.invoice_for(session, ORDER, order.id or 0)
    pay = billing.payments_of(session, invoice.id or 0) if invoice else []
    return BookingView(order.id or 0, unit_type.name if unit_type else "",
                       unit.name if unit else "", order.start_date, order.end_date,
                       order.status, order.total, order.currency,
                       invoice.status if invoice else "", pay[-1].status if pay else "",
                       order.created_at)


def my_bookings(session: Session, *, actor: Actor | None, lang: str = "") -> list[BookingView]:
    """The caller's bookings, newest first, unit types named in `lang` where one is given."""
    customer = require_login(actor)
    rows = session.exec(select(BookingOrder).where(BookingOrder.customer_id == customer.user_id)
                        .order_by(col(BookingOrder.id).desc()).limit(100)).all()
    type_names = localized.names(session, Entity.UNIT_TYPE, [o.unit_type_id for o in rows], lang)
    return [replace(view, unit_type=type_names.get(o.unit_type_id, view.unit_type))
            for o in rows for view in [_booking_view(session, o)]]


def _own_order(session: Session, actor: Actor, order_id: object) -> BookingOrder:
    order = session.get(BookingOrder, record_id(order_id))
    if order is None or order.customer_id != actor.user_id:
        raise NotFound()  # another customer's booking is not even acknowledged
    return order


def pay_booking(session: Session, *, actor: Actor | None, order_id: object) -> BookingView:
    """Customer pays the booking invoice online: a draft invoice and a pending payment."""
    customer = require_login(actor)
    order = _own_order(session, customer, order_id)
    if not load_settings(session).payments_enabled:
        raise DomainError("rental.payments_disabled")
    if rentals.BookingStatus(order.status) not in ACTIVE:
        raise DomainError("rental.not_payable")
    db.serialize_on(session, f"invoice:{ORDER}:{order.id}")  # a double click pays once
    invoice = billing.draft_invoice(session, order_kind=ORDER, order_id=order.id or 0,
                                    customer_id=customer.user_id, subtotal=order.subtotal,
                                    tax=order.tax, total=order.total, currency=order.currency)
    payment = payments.start_or_resume(session, invoice)
    if payment is not None:
        audit.record(session, actor_id=customer.user_id, entity=ORDER, entity_id=order.id or 0,
                     action="payment_started", new=f"{payment.provider} {payment.amount}")
    session.flush()
    return _booking_view(session, order)


# --- staff ---------------------------------------------------------------------------------

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
    where = []
    if status:
        where.append(BookingOrder.status == rentals.parse_status(status).value)
    if start or end:
        period = _filter_period(start, end)
        where += [col(BookingOrder.start_date) < period.end,
                  col(BookingOrder.end_date) > period.start]
    if unit_type_id is not None:
        where.append(BookingOrder.unit_type_id == record_id(unit_type_id))
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
    from reserve_app.domain.periods import parse_day

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
    next_statuses: list[str]


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
        _booking_view(session, order), customer.name if customer else "",
        customer.email if customer else "", answers,
        billing.invoice_view(invoice) if invoice else None,
        billing.payments_of(session, invoice.id or 0) if invoice else [],
        sorted(audit.history(session, entity=ORDER, entity_id=order.id or 0)
               + _payment_history(session, invoice.id if invoice else None),
               key=lambda h: h.at),
        sorted(s.value for s in rentals.ALLOWED[BookingStatus(order.status)]),
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
    order.status = new.value
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
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
    require_admin(actor)
    now = now or utcnow()
    order = session.get(BookingOrder, record_id(order_id))
    if order is None:
        raise NotFound()
    if rentals.BookingStatus(order.status) not in ACTIVE:
        raise DomainError("rental.not_payable")
    db.serialize_on(session, f"invoice:{ORDER}:{order.id}")
    invoice = billing.draft_invoice(session, order_kind=ORDER, order_id=order.id or 0,
                                    customer_id=order.customer_id, subtotal=order.subtotal,
                                    tax=order.tax, total=order.total, currency=order.currency)
    if invoice.status in ("paid", "void"):
        raise DomainError("rental.already_paid")
    payment = Payment(invoice_id=invoice.id or 0, provider="manual", method="cash",
                      amount=invoice.total, status="pending")
    session.add(payment)
    session.flush()
    billing.approve_payment(session, actor=actor, payment_id=payment.id, now=now)
    audit.record(session, actor_id=actor.user_id if actor else None, entity=ORDER,
                 entity_id=order.id or 0, action="paid_in_cash", new=str(invoice.total))
    session.flush()
    return order_detail(session, actor=actor, order_id=order.id)


def unit_type_choices(session: Session, *, actor: Actor | None) -> list[tuple[int, str]]:
    require_staff(actor)
    return [(t.id or 0, t.name) for t in session.exec(select(UnitType).order_by(UnitType.name))]
