"""Staff on tickets: the inbox, moving a ticket along the status table (a customer may only
close their own), voiding a likely payment, and an order's fulfilment (which the late-order
rules read)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from reserve_app.domain import tickets as rules
from reserve_app.domain.accounts import Actor, require_login, require_staff
from reserve_app.domain.billing import PaymentStatus
from reserve_app.domain.billing import payment_transition as payment_to
from reserve_app.domain.errors import DomainError, NotFound
from reserve_app.domain.ids import record_id
from reserve_app.domain.tickets import EntryKind, TicketStatus
from reserve_app.models import Payment, ShopOrder, Ticket, User
from reserve_app.models.base import utcnow
from reserve_app.services.platform import audit, live

from .common import ENTITY, add_entry, announce, serialize, ticket_for
from .reading import likely_payments, view_of
from .views import TicketRow, TicketView

INBOX_LIMIT = 200
ACTIVE = "active"      # the inbox filter for every ticket not closed


def inbox(session: Session, *, actor: Actor | None, status: object = "",
          kind: object = "") -> list[TicketRow]:
    """Staff "Tickets": newest activity first, filtered by status and type ("" = all;
    "active" = everything not closed)."""
    require_staff(actor)
    query = select(Ticket, User.name).join(User, col(User.id) == Ticket.customer_id)
    if status == ACTIVE:
        query = query.where(Ticket.status != TicketStatus.CLOSED.value)
    elif status not in ("", None):
        query = query.where(Ticket.status == rules.parse_status(status).value)
    if kind not in ("", None):
        query = query.where(Ticket.type == rules.parse_type(kind).value)
    rows = session.exec(query.order_by(col(Ticket.updated_at).desc(), col(Ticket.id).desc())
                        .limit(INBOX_LIMIT)).all()
    return [TicketRow(t.id or 0, name, t.type, t.status, t.order_id, t.updated_at,
                      t.staff_unread) for t, name in rows]


def set_status(session: Session, *, actor: Actor | None, ticket_id: object, status: object,
               now: datetime | None = None) -> TicketView:
    """Staff move a ticket along the status table; a customer may only close their own."""
    who = require_login(actor)
    now = now or utcnow()
    new = rules.parse_status(status)
    serialize(session, f"ticket:{record_id(ticket_id)}")
    ticket = ticket_for(session, who, ticket_id)
    if not who.is_staff and new is not TicketStatus.CLOSED:
        raise NotFound()
    current = TicketStatus(ticket.status)
    if current is new:
        return view_of(session, ticket, who)
    rules.transition(current, new)
    add_entry(session, ticket, EntryKind.STATUS, who.user_id, "", now, old=current.value,
              new=new.value)
    ticket.status, ticket.updated_at = new.value, now
    audit.record(session, actor_id=who.user_id, entity=ENTITY, entity_id=ticket.id or 0,
                 action="ticket_status", old=current.value, new=new.value)
    if who.is_staff:
        ticket.customer_unread = True
    else:
        ticket.staff_unread = True
    announce(session, ticket)
    session.flush()
    return view_of(session, ticket, who)


def void_payment(session: Session, *, actor: Actor | None, ticket_id: object,
                 payment_id: object, now: datetime | None = None) -> TicketView:
    """Staff's one click on a likely match: the payment is voided (money to be returned)."""
    staff = require_staff(actor)
    now = now or utcnow()
    serialize(session, f"ticket:{record_id(ticket_id)}")
    ticket = ticket_for(session, staff, ticket_id)
    wanted = record_id(payment_id)
    if wanted not in {m.id for m in likely_payments(session, ticket)}:
        raise NotFound()
    payment = session.get(Payment, wanted)
    if payment is None:          # a likely payment was found a moment ago in this transaction
        raise NotFound()
    if payment.provider == "stripe":   # refunded or released at Stripe (payments.actions)
        raise DomainError("payment.release_at_provider")
    old = payment.status
    payment.status = payment_to(PaymentStatus(payment.status), PaymentStatus.VOID).value
    audit.record(session, actor_id=staff.user_id, entity="payment", entity_id=wanted,
                 action="payment_voided", old=old, new=payment.status,
                 note=f"ticket {ticket.id}")
    add_entry(session, ticket, EntryKind.NOTE, staff.user_id,
              f"payment:{wanted}:{payment.amount}", now)
    ticket.updated_at = now
    announce(session, ticket, customer=False)
    session.flush()
    return view_of(session, ticket, staff)


def set_fulfilment(session: Session, *, actor: Actor | None, order_id: object,
                   fulfilment: object, tracking_url: object) -> None:
    staff = require_staff(actor)
    order = session.get(ShopOrder, record_id(order_id))
    if order is None:
        raise NotFound()
    stage = rules.parse_fulfilment(fulfilment)
    url = rules.parse_tracking_url(tracking_url)
    old = f"{order.fulfilment} {order.tracking_url}"
    order.fulfilment, order.tracking_url = stage.value, url
    audit.record(session, actor_id=staff.user_id, entity="shop_order", entity_id=order.id or 0,
                 action="fulfilment_changed", old=old, new=f"{stage.value} {url}")
    live.record(session, topic=live.STAFF_ORDERS, kind="order_changed", ref_id=order.id or 0)
    live.record(session, topic=live.customer_topic(order.customer_id), kind="order_changed",
                ref_id=order.id or 0)
    session.flush()
