"""A customer opens a ticket: "Charged but no order created", or "My order is late" (the
48-hour rules decide whether it shows the tracking link, makes the ticket itself, offers to
create one, or shows the delivered order)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from reserve_app.domain import tickets as rules
from reserve_app.domain.accounts import Actor, require_login
from reserve_app.domain.errors import DomainError, NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.shop import OrderStatus
from reserve_app.domain.tickets import (
    ChargeMethod,
    EntryKind,
    Fulfilment,
    LateOutcome,
    TicketStatus,
    TicketType,
)
from reserve_app.models import ShopOrder, ShopOrderItem, Ticket
from reserve_app.models.base import utcnow
from reserve_app.services.platform import audit

from .common import ENTITY, PAGE, add_entry, serialize, tell_staff
from .support import self_service_enabled
from .views import LateView, OrderChoice

LATE_ORDER_STATUSES = (OrderStatus.PENDING.value, OrderStatus.ACCEPTED.value,
                       OrderStatus.COMPLETED.value)


def _customer(session: Session, actor: Actor | None) -> Actor:
    who = require_login(actor)
    if who.is_staff:
        raise DomainError("ticket.customers_only")
    if not self_service_enabled(session):
        raise DomainError("ticket.self_service_off")
    return who


def _choice(order: ShopOrder) -> OrderChoice:
    return OrderChoice(order.id or 0, order.created_at, order.total, order.currency,
                       order.status, order.fulfilment)


def orders_to_ask_about(session: Session, *, actor: Actor | None) -> list[OrderChoice]:
    """The customer's orders "My order is late" offers (not cancelled or voided)."""
    who = _customer(session, actor)
    rows = session.exec(select(ShopOrder).where(
        ShopOrder.customer_id == who.user_id, col(ShopOrder.status).in_(LATE_ORDER_STATUSES))
        .order_by(col(ShopOrder.id).desc()).limit(PAGE)).all()
    return [_choice(o) for o in rows]


def _own_order(session: Session, who: Actor, order_id: object) -> ShopOrder:
    order = session.get(ShopOrder, record_id(order_id))
    if (order is None or order.customer_id != who.user_id
            or order.status not in LATE_ORDER_STATUSES):
        raise NotFound()
    return order


def _open_ticket_for(session: Session, order: ShopOrder) -> Ticket | None:
    return session.exec(select(Ticket).where(
        Ticket.order_id == order.id, Ticket.type == TicketType.ORDER_LATE.value,
        Ticket.status != TicketStatus.CLOSED.value).order_by(col(Ticket.id))).first()


def _items(session: Session, order_id: int) -> list[ShopOrderItem]:
    return list(session.exec(select(ShopOrderItem).where(ShopOrderItem.order_id == order_id)
                             .order_by(col(ShopOrderItem.id))).all())


def check_late_order(session: Session, *, actor: Actor | None, order_id: object,
                     now: datetime | None = None) -> LateView:
    """"My order is late" → "Next": applies the 48-hour rules to one of the caller's orders.
    Over 48 h and fulfilled or shipping, the ticket is created here, unless the order has an
    open one already (after it is closed, asking again opens a new one)."""
    who = _customer(session, actor)
    now = now or utcnow()
    serialize(session, f"ticket:order:{record_id(order_id)}")
    order = _own_order(session, who, order_id)
    outcome = rules.late_order_outcome(order.created_at, Fulfilment(order.fulfilment), now)
    existing = _open_ticket_for(session, order)
    ticket_id = (existing.id or 0) if existing is not None else 0
    if outcome is LateOutcome.AUTO_TICKET and existing is None:
        ticket = _new_ticket(session, who, TicketType.ORDER_LATE, TicketStatus.OPEN, now,
                             order_id=order.id, auto=True)
        ticket_id = ticket.id or 0
        session.flush()
    items = [(it.name, it.quantity) for it in _items(session, order.id or 0)]
    return LateView(outcome.value, _choice(order), order.tracking_url, ticket_id, items)


def create_late_ticket(session: Session, *, actor: Actor | None, order_id: object,
                       details: object, now: datetime | None = None) -> int:
    """Over 48 h and still awaiting review: the customer's own "Create ticket"; the ticket is
    "Under merchant verification" at once."""
    who = _customer(session, actor)
    now = now or utcnow()
    text = rules.parse_text(details, field="details", limit=rules.MAX_DETAILS)
    serialize(session, f"ticket:order:{record_id(order_id)}")
    order = _own_order(session, who, order_id)
    outcome = rules.late_order_outcome(order.created_at, Fulfilment(order.fulfilment), now)
    if outcome is not LateOutcome.OFFER_TICKET:
        raise DomainError("ticket.late_not_needed")
    if (existing := _open_ticket_for(session, order)) is not None:
        return existing.id or 0
    ticket = _new_ticket(session, who, TicketType.ORDER_LATE, TicketStatus.VERIFYING, now,
                         order_id=order.id, details=text)
    session.flush()
    return ticket.id or 0


def create_charged_ticket(session: Session, *, actor: Actor | None, method: object,
                          last4: object, details: object, now: datetime | None = None) -> int:
    """"Charged but no order created"."""
    who = _customer(session, actor)
    errors: dict[str, str] = {}
    chosen: ChargeMethod | None = None
    try:
        chosen = rules.parse_charge_method(method)
    except ValidationFailed as err:
        errors.update(err.fields)
    digits = ""
    if chosen is not None:
        try:
            digits = rules.parse_last4(last4, chosen)
        except ValidationFailed as err:
            errors.update(err.fields)
    text = ""
    try:
        text = rules.parse_text(details, field="details", limit=rules.MAX_DETAILS)
    except ValidationFailed as err:
        errors.update(err.fields)
    if errors or chosen is None:
        raise ValidationFailed(errors)
    ticket = _new_ticket(session, who, TicketType.CHARGED_NO_ORDER, TicketStatus.OPEN,
                         now or utcnow(), method=chosen.value, last4=digits, details=text)
    session.flush()
    return ticket.id or 0


def _new_ticket(session: Session, who: Actor, kind: TicketType, status: TicketStatus,
                now: datetime, *, order_id: int | None = None, auto: bool = False,
                method: str = "", last4: str = "", details: str = "") -> Ticket:
    ticket = Ticket(customer_id=who.user_id, type=kind.value, status=status.value,
                    created_at=now, updated_at=now, order_id=order_id, auto=auto,
                    method=method, last4=last4, details=details)
    session.add(ticket)
    session.flush()
    if ticket.details:
        add_entry(session, ticket, EntryKind.MESSAGE, who.user_id, ticket.details, now)
    if status is not TicketStatus.OPEN:
        add_entry(session, ticket, EntryKind.STATUS, who.user_id, "", now,
                  old=TicketStatus.OPEN.value, new=status.value)
    audit.record(session, actor_id=who.user_id, entity=ENTITY, entity_id=ticket.id or 0,
                 action="ticket_created", new=f"{kind.value} {status.value}")
    tell_staff(session, ticket, who, "ticket_new", ticket.details)
    return ticket
