"""Help tickets: self-service settings, canned responses, tickets, replies, attachments.

Every function takes the caller (`actor`) and checks it: a customer sees and touches only their
own tickets and never an internal note or a file sent with one; staff see all. Each reply
writes the other side's email (outbox) and a live event in the same transaction.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from reserve_app.domain import tickets as rules
from reserve_app.domain.accounts import Actor, require_admin, require_login, require_staff
from reserve_app.domain.billing import InvoiceStatus, PaymentStatus
from reserve_app.domain.billing import payment_transition as payment_to
from reserve_app.domain.errors import DomainError, NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.shop import OrderStatus
from reserve_app.domain.tickets import (
    EntryKind,
    Fulfilment,
    LateOutcome,
    TicketStatus,
    TicketType,
)
from reserve_app.models import (
    CannedResponse,
    Invoice,
    Payment,
    ShopOrder,
    ShopOrderItem,
    SupportSettings,
    Ticket,
    TicketAttachment,
    TicketEntry,
    User,
)
from reserve_app.models.base import utcnow
from reserve_app.services import uow
from reserve_app.services.platform import audit, db, live, outbox
from reserve_app.settings import get_settings

STAFF_TICKETS = "staff:tickets"
ENTITY = "ticket"
PAGE = 50


# ---- views ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AttachmentView:
    id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class EntryView:
    id: int
    kind: str
    author: str
    author_is_staff: bool
    body: str
    old_status: str
    new_status: str
    at: datetime
    attachments: list[AttachmentView]


@dataclass(frozen=True)
class PaymentMatch:
    id: int
    amount: Decimal
    currency: str
    method: str
    last4: str
    status: str
    created_at: datetime
    invoice_number: str


@dataclass(frozen=True)
class TicketView:
    id: int
    customer_id: int
    customer: str
    customer_email: str
    type: str
    status: str
    order_id: int | None
    method: str
    last4: str
    details: str
    auto: bool
    rating: int | None
    rating_comment: str
    created_at: datetime
    updated_at: datetime
    unread: bool                    # for the one asking
    entries: list[EntryView]        # only what the caller may see
    pending: list[AttachmentView]   # the caller's files not sent yet
    tracking_url: str
    match: list[PaymentMatch]       # staff, "charged but no order": likely payments


@dataclass(frozen=True)
class TicketRow:
    id: int
    customer: str
    type: str
    status: str
    order_id: int | None
    updated_at: datetime
    unread: bool


@dataclass(frozen=True)
class CannedView:
    id: int
    title: str
    text: str


@dataclass(frozen=True)
class OrderChoice:
    id: int
    created_at: datetime
    total: Decimal
    currency: str
    status: str
    fulfilment: str


@dataclass(frozen=True)
class LateView:
    outcome: str
    order: OrderChoice
    tracking_url: str
    ticket_id: int            # the order's open ticket (made now, or earlier), else 0
    items: list[tuple[str, int]]


# ---- settings and canned responses ---------------------------------------------------------

def self_service_enabled(session: Session) -> bool:
    row = session.get(SupportSettings, 1)
    return True if row is None else row.enabled


def save_settings(session: Session, *, actor: Actor | None, enabled: object) -> bool:
    admin = require_admin(actor)
    if not isinstance(enabled, bool):
        raise ValidationFailed({"enabled": "field.choice_invalid"})
    row = session.get(SupportSettings, 1)
    if row is None:
        row = SupportSettings(id=1)
        session.add(row)
    old, row.enabled = row.enabled, enabled
    audit.record(session, actor_id=admin.user_id, entity="support_settings", entity_id=1,
                 action="settings_changed", old=old, new=enabled)
    session.flush()
    return row.enabled


def canned(session: Session, *, actor: Actor | None) -> list[CannedView]:
    require_staff(actor)
    rows = session.exec(select(CannedResponse).where(col(CannedResponse.active))
                        .order_by(col(CannedResponse.title), col(CannedResponse.id))).all()
    return [CannedView(r.id or 0, r.title, r.text) for r in rows]


def save_canned(session: Session, *, actor: Actor | None, canned_id: object, title: object,
                text: object) -> CannedView:
    """Add (`canned_id` 0) or change a canned response."""
    admin = require_admin(actor)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for field, value, limit in (("title", title, rules.MAX_TITLE),
                                ("text", text, rules.MAX_MESSAGE)):
        try:
            values[field] = rules.parse_text(value, field=field, limit=limit)
        except ValidationFailed as err:
            errors.update(err.fields)
    if errors:
        raise ValidationFailed(errors)
    if canned_id in (0, "0", None, ""):
        row = CannedResponse(title=values["title"], text=values["text"])
        session.add(row)
        session.flush()
        action = "canned_added"
    else:
        row = session.get(CannedResponse, record_id(canned_id))
        if row is None or not row.active:
            raise NotFound()
        row.title, row.text = values["title"], values["text"]
        action = "canned_changed"
    audit.record(session, actor_id=admin.user_id, entity="canned_response",
                 entity_id=row.id or 0, action=action, new=row.title)
    session.flush()
    return CannedView(row.id or 0, row.title, row.text)


def remove_canned(session: Session, *, actor: Actor | None, canned_id: object) -> None:
    admin = require_admin(actor)
    row = session.get(CannedResponse, record_id(canned_id))
    if row is None or not row.active:
        raise NotFound()
    row.active = False
    audit.record(session, actor_id=admin.user_id, entity="canned_response",
                 entity_id=row.id or 0, action="canned_removed", old=row.title)
    session.flush()


# ---- order fulfilment (used by the late-order rules) -----------------------------------

def set_fulfilment(session: Session, *, actor: Actor | None, order_id: object,
                   fulfilment: object, tracking_url: object) -> None:
    staff = require_staff(actor)
    order = session.get(ShopOrder, record_id(order_id))
    if order is None:
        raise NotFound()
    try:
        stage = Fulfilment(fulfilment)
    except ValueError:
        raise ValidationFailed({"fulfilment": "field.choice_invalid"}) from None
    url = rules.parse_tracking_url(tracking_url)
    old = f"{order.fulfilment} {order.tracking_url}"
    order.fulfilment, order.tracking_url = stage.value, url
    audit.record(session, actor_id=staff.user_id, entity="shop_order", entity_id=order.id or 0,
                 action="fulfilment_changed", old=old, new=f"{stage.value} {url}")
    live.record(session, topic=live.STAFF_ORDERS, kind="order_changed", ref_id=order.id or 0)
    live.record(session, topic=live.customer_topic(order.customer_id), kind="order_changed",
                ref_id=order.id or 0)
    session.flush()


# ---- customer: creating tickets ----------------------------------------------------------

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


LATE_ORDER_STATUSES = (OrderStatus.PENDING.value, OrderStatus.ACCEPTED.value,
                       OrderStatus.COMPLETED.value)


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


def check_late_order(session: Session, *, actor: Actor | None, order_id: object,
                     now: datetime | None = None) -> LateView:
    """"My order is late" → "Next": applies the 48-hour rules to one of the caller's orders.
    Over 48 h and fulfilled or shipping, the ticket is created here, unless the order has an
    open one already (after it is closed, asking again opens a new one)."""
    who = _customer(session, actor)
    now = now or utcnow()
    db_serialize(session, f"ticket:order:{record_id(order_id)}")
    order = _own_order(session, who, order_id)
    outcome = rules.late_order_outcome(order.created_at, Fulfilment(order.fulfilment), now)
    existing = _open_ticket_for(session, order)
    ticket_id = (existing.id or 0) if existing is not None else 0
    if outcome is LateOutcome.AUTO_TICKET and existing is None:
        ticket = _new_ticket(session, who, TicketType.ORDER_LATE, TicketStatus.OPEN, now,
                             order_id=order.id, auto=True, details="")
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
    db_serialize(session, f"ticket:order:{record_id(order_id)}")
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
    chosen = None
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
                now: datetime, **fields: object) -> Ticket:
    ticket = Ticket(customer_id=who.user_id, type=kind.value, status=status.value,
                    created_at=now, updated_at=now, **fields)
    session.add(ticket)
    session.flush()
    if ticket.details:
        _entry(session, ticket, EntryKind.MESSAGE, who.user_id, ticket.details, now)
    if status is not TicketStatus.OPEN:
        _entry(session, ticket, EntryKind.STATUS, who.user_id, "", now,
               old=TicketStatus.OPEN.value, new=status.value)
    audit.record(session, actor_id=who.user_id, entity=ENTITY, entity_id=ticket.id or 0,
                 action="ticket_created", new=f"{kind.value} {status.value}")
    _tell_staff(session, ticket, who, "ticket_new", ticket.details)
    return ticket


# ---- reading -------------------------------------------------------------------------------

def my_tickets(session: Session, *, actor: Actor | None) -> list[TicketRow]:
    who = require_login(actor)
    rows = session.exec(select(Ticket).where(Ticket.customer_id == who.user_id)
                        .order_by(col(Ticket.updated_at).desc(), col(Ticket.id).desc())
                        .limit(PAGE)).all()
    return [TicketRow(t.id or 0, who.name, t.type, t.status, t.order_id, t.updated_at,
                      t.customer_unread) for t in rows]


def unread_count(session: Session, *, actor: Actor | None) -> int:
    """Tickets with a merchant reply the customer has not opened (the help icon's badge)."""
    if actor is None or actor.is_staff:
        return 0
    return session.exec(select(func.count()).select_from(Ticket).where(
        Ticket.customer_id == actor.user_id, col(Ticket.customer_unread))).one()


def inbox(session: Session, *, actor: Actor | None, status: object = "",
          kind: object = "") -> list[TicketRow]:
    """Staff "Tickets": newest activity first, filtered by status and type ("" = all;
    "active" = everything not closed)."""
    require_staff(actor)
    query = select(Ticket, User.name).join(User, col(User.id) == Ticket.customer_id)
    if status == "active":
        query = query.where(Ticket.status != TicketStatus.CLOSED.value)
    elif status not in ("", None):
        if status not in TicketStatus.__members__.values():
            raise ValidationFailed({"status": "field.choice_invalid"})
        query = query.where(Ticket.status == status)
    if kind not in ("", None):
        if kind not in TicketType.__members__.values():
            raise ValidationFailed({"type": "field.choice_invalid"})
        query = query.where(Ticket.type == kind)
    rows = session.exec(query.order_by(col(Ticket.updated_at).desc(), col(Ticket.id).desc())
                        .limit(200)).all()
    return [TicketRow(t.id or 0, name, t.type, t.status, t.order_id, t.updated_at,
                      t.staff_unread) for t, name in rows]


def open_count(session: Session, *, actor: Actor | None) -> int:
    require_staff(actor)
    return session.exec(select(func.count()).select_from(Ticket).where(
        Ticket.status != TicketStatus.CLOSED.value)).one()


def _ticket_for(session: Session, who: Actor, ticket_id: object) -> Ticket:
    """The ticket, if the caller may see it: staff any, a customer only their own (others
    are "not found", so ids cannot be probed)."""
    ticket = session.get(Ticket, record_id(ticket_id))
    if ticket is None or (not who.is_staff and ticket.customer_id != who.user_id):
        raise NotFound()
    return ticket


def ticket_view(session: Session, *, actor: Actor | None, ticket_id: object,
                mark_read: bool = False) -> TicketView:
    who = require_login(actor)
    ticket = _ticket_for(session, who, ticket_id)
    if mark_read:
        flag = Ticket.staff_unread if who.is_staff else Ticket.customer_unread
        session.execute(update(Ticket).where(col(Ticket.id) == ticket.id).values({flag: False}))
        session.flush()
        session.refresh(ticket)
    return _view(session, ticket, who)


def _view(session: Session, ticket: Ticket, who: Actor) -> TicketView:
    staff_view = who.is_staff
    query = select(TicketEntry, User.name, User.role).join(
        User, col(User.id) == TicketEntry.author_id, isouter=True).where(
        TicketEntry.ticket_id == ticket.id)
    if not staff_view:
        query = query.where(TicketEntry.kind != EntryKind.NOTE.value)
    rows = session.exec(query.order_by(col(TicketEntry.at), col(TicketEntry.id))).all()
    files: dict[int | None, list[AttachmentView]] = {}
    pending: list[AttachmentView] = []
    file_query = select(TicketAttachment).where(TicketAttachment.ticket_id == ticket.id)
    if not staff_view:
        file_query = file_query.where(col(TicketAttachment.internal).is_(False))
    for a in session.exec(file_query.order_by(col(TicketAttachment.id))).all():
        view = AttachmentView(a.id or 0, a.filename, a.content_type, a.size)
        if a.entry_id is not None:
            files.setdefault(a.entry_id, []).append(view)
        elif a.uploader_id == who.user_id:
            pending.append(view)
    entries = [EntryView(e.id or 0, e.kind, name or "", role in ("staff", "admin"), e.body,
                         e.old_status, e.new_status, e.at, files.get(e.id, []))
               for e, name, role in rows]
    customer = session.get(User, ticket.customer_id)
    order = session.get(ShopOrder, ticket.order_id) if ticket.order_id else None
    match = (likely_payments(session, ticket)
             if staff_view and ticket.type == TicketType.CHARGED_NO_ORDER.value else [])
    return TicketView(
        ticket.id or 0, ticket.customer_id, customer.name if customer else "",
        customer.email if customer and staff_view else "", ticket.type, ticket.status,
        ticket.order_id, ticket.method, ticket.last4, ticket.details, ticket.auto,
        ticket.rating, ticket.rating_comment, ticket.created_at, ticket.updated_at,
        ticket.staff_unread if staff_view else ticket.customer_unread, entries, pending,
        order.tracking_url if order else "", match)


def likely_payments(session: Session, ticket: Ticket) -> list[PaymentMatch]:
    """"Charged but no order": this customer's recent payments that took or hold money while
    their invoice is void (so no order stands behind them), best match first: same last 4
    digits, then same method, then the newest."""
    if ticket.type != TicketType.CHARGED_NO_ORDER.value:
        return []
    since = ticket.created_at - rules.MATCH_WINDOW
    rows = session.exec(select(Payment, Invoice.number, Invoice.currency).join(
        Invoice, col(Invoice.id) == Payment.invoice_id).where(
        Invoice.customer_id == ticket.customer_id, Invoice.status == InvoiceStatus.VOID.value,
        col(Payment.status).in_([PaymentStatus.APPROVED.value, PaymentStatus.PENDING.value]),
        col(Payment.created_at) >= since)).all()

    def rank(row: tuple[Payment, str | None, str]) -> tuple[bool, bool, datetime]:
        p = row[0]
        return (bool(ticket.last4) and p.last4 == ticket.last4, p.method == ticket.method,
                p.created_at)

    return [PaymentMatch(p.id or 0, p.amount, currency, p.method, p.last4, p.status,
                         p.created_at, number or "")
            for p, number, currency in sorted(rows, key=rank, reverse=True)[:5]]


# ---- replies, status, rating ---------------------------------------------------------------

def reply(session: Session, *, actor: Actor | None, ticket_id: object, text: object,
          internal: object = False, canned_id: object = None,
          now: datetime | None = None) -> TicketView:
    """A message (customer: "Reply to merchant"; staff: a reply, from a canned response or
    free) or, for staff, an internal note. Sends the caller's uploaded files with it."""
    who = require_login(actor)
    now = now or utcnow()
    if not isinstance(internal, bool):
        raise ValidationFailed({"internal": "field.choice_invalid"})
    if internal and not who.is_staff:
        raise NotFound()
    db_serialize(session, f"ticket:{record_id(ticket_id)}")
    ticket = _ticket_for(session, who, ticket_id)
    body = rules.parse_text(text, field="message", limit=rules.MAX_MESSAGE, required=False)
    if canned_id not in (None, "", 0, "0"):
        if not who.is_staff:
            raise NotFound()
        chosen = session.get(CannedResponse, record_id(canned_id))
        if chosen is None or not chosen.active:
            raise NotFound()
        body = f"{chosen.text}\n\n{body}".strip() if body else chosen.text
        if len(body) > rules.MAX_MESSAGE:
            raise ValidationFailed({"message": "field.too_long"})
    files = session.exec(select(TicketAttachment).where(
        TicketAttachment.ticket_id == ticket.id, col(TicketAttachment.entry_id).is_(None),
        TicketAttachment.uploader_id == who.user_id)).all()
    if not body and not files:
        raise ValidationFailed({"message": "field.required"})
    current = TicketStatus(ticket.status)
    if internal:
        if current is TicketStatus.CLOSED:
            raise DomainError("ticket.closed")
        new = current
    else:
        new = (rules.after_staff_reply(current) if who.is_staff
               else rules.after_customer_reply(current))
    kind = EntryKind.NOTE if internal else EntryKind.MESSAGE
    entry = _entry(session, ticket, kind, who.user_id, body, now)
    for f in files:
        f.entry_id, f.internal = entry.id, bool(internal)
    if new is not current:
        _entry(session, ticket, EntryKind.STATUS, who.user_id, "", now, old=current.value,
               new=new.value)
        ticket.status = new.value
    ticket.updated_at = now
    audit.record(session, actor_id=who.user_id, entity=ENTITY, entity_id=ticket.id or 0,
                 action="ticket_note" if internal else "ticket_reply",
                 note=f"{len(files)} file(s)")
    if not internal:
        if who.is_staff:
            ticket.customer_unread = True
            _tell_customer(session, ticket, who, body)
        else:
            ticket.staff_unread = True
            _tell_staff(session, ticket, who, "ticket_reply_staff", body)
    else:
        _announce(session, ticket, customer=False)
    session.flush()
    return _view(session, ticket, who)


def set_status(session: Session, *, actor: Actor | None, ticket_id: object, status: object,
               now: datetime | None = None) -> TicketView:
    """Staff move a ticket along the status table; a customer may only close their own."""
    who = require_login(actor)
    now = now or utcnow()
    try:
        new = TicketStatus(status)
    except ValueError:
        raise ValidationFailed({"status": "field.choice_invalid"}) from None
    db_serialize(session, f"ticket:{record_id(ticket_id)}")
    ticket = _ticket_for(session, who, ticket_id)
    if not who.is_staff and new is not TicketStatus.CLOSED:
        raise NotFound()
    current = TicketStatus(ticket.status)
    if current is new:
        return _view(session, ticket, who)
    rules.transition(current, new)
    _entry(session, ticket, EntryKind.STATUS, who.user_id, "", now, old=current.value,
           new=new.value)
    ticket.status, ticket.updated_at = new.value, now
    audit.record(session, actor_id=who.user_id, entity=ENTITY, entity_id=ticket.id or 0,
                 action="ticket_status", old=current.value, new=new.value)
    if who.is_staff:
        ticket.customer_unread = True
    else:
        ticket.staff_unread = True
    _announce(session, ticket)
    session.flush()
    return _view(session, ticket, who)


def rate(session: Session, *, actor: Actor | None, ticket_id: object, stars: object,
         comment: object, now: datetime | None = None) -> TicketView:
    """The customer's rating of a closed ticket: 1–5 and a comment, once."""
    who = require_login(actor)
    now = now or utcnow()
    db_serialize(session, f"ticket:{record_id(ticket_id)}")
    ticket = _ticket_for(session, who, ticket_id)
    if who.is_staff:
        raise DomainError("ticket.customers_only")
    value, text = rules.parse_rating(stars, comment)
    rules.check_can_rate(TicketStatus(ticket.status), ticket.rating is not None)
    ticket.rating, ticket.rating_comment, ticket.updated_at = value, text, now
    ticket.staff_unread = True
    _entry(session, ticket, EntryKind.RATING, who.user_id, text, now, new=str(value))
    audit.record(session, actor_id=who.user_id, entity=ENTITY, entity_id=ticket.id or 0,
                 action="ticket_rated", new=value)
    _announce(session, ticket)
    session.flush()
    return _view(session, ticket, who)


def void_payment(session: Session, *, actor: Actor | None, ticket_id: object,
                 payment_id: object, now: datetime | None = None) -> TicketView:
    """Staff's one click on a likely match: the payment is voided (money to be returned)."""
    staff = require_staff(actor)
    now = now or utcnow()
    db_serialize(session, f"ticket:{record_id(ticket_id)}")
    ticket = _ticket_for(session, staff, ticket_id)
    wanted = record_id(payment_id)
    if wanted not in {m.id for m in likely_payments(session, ticket)}:
        raise NotFound()
    payment = session.get(Payment, wanted)
    assert payment is not None
    if payment.provider == "stripe":   # refunded or released at Stripe (payments.actions)
        raise DomainError("payment.release_at_provider")
    old = payment.status
    payment.status = payment_to(PaymentStatus(payment.status), PaymentStatus.VOID).value
    audit.record(session, actor_id=staff.user_id, entity="payment", entity_id=wanted,
                 action="payment_voided", old=old, new=payment.status,
                 note=f"ticket {ticket.id}")
    _entry(session, ticket, EntryKind.NOTE, staff.user_id,
           f"payment:{wanted}:{payment.amount}", now)
    ticket.updated_at = now
    _announce(session, ticket, customer=False)
    session.flush()
    return _view(session, ticket, staff)


# ---- attachments ---------------------------------------------------------------------------

def attach(session: Session, *, actor: Actor | None, ticket_id: object, filename: object,
           data: bytes) -> AttachmentView:
    """Keep an uploaded file for the caller's next message on the ticket. The type comes from
    the file's first bytes (PNG, JPEG, PDF); the name is cleaned; the file is written under a
    random name in the private attachments folder."""
    who = require_login(actor)
    ticket = _ticket_for(session, who, ticket_id)
    if ticket.status == TicketStatus.CLOSED.value:
        raise DomainError("ticket.closed")
    rules.check_size(len(data))
    kind = rules.sniff(data[:16])
    waiting = session.exec(select(func.count()).select_from(TicketAttachment).where(
        TicketAttachment.ticket_id == ticket.id, col(TicketAttachment.entry_id).is_(None),
        TicketAttachment.uploader_id == who.user_id)).one()
    if waiting >= rules.MAX_FILES_PER_MESSAGE:
        raise ValidationFailed({"file": "ticket.too_many_files"})
    stored = f"{secrets.token_hex(16)}.{kind.extension}"
    path = _folder() / stored
    temp = path.with_suffix(".part")
    with open(temp, "xb") as out:
        out.write(data)
    os.replace(temp, path)
    row = TicketAttachment(ticket_id=ticket.id or 0, uploader_id=who.user_id,
                           stored_name=stored, filename=rules.safe_filename(filename, kind),
                           content_type=kind.mime, size=len(data))
    session.add(row)
    try:
        session.flush()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return AttachmentView(row.id or 0, row.filename, row.content_type, row.size)


def drop_pending(session: Session, *, actor: Actor | None, attachment_id: object) -> None:
    """Take back a file not sent yet (only one's own)."""
    who = require_login(actor)
    row = session.get(TicketAttachment, record_id(attachment_id))
    if row is None or row.uploader_id != who.user_id or row.entry_id is not None:
        raise NotFound()
    stored = row.stored_name
    session.delete(row)
    path = _folder() / stored
    uow.on_commit(session, lambda: path.unlink(missing_ok=True))   # the row is gone for good


@dataclass(frozen=True)
class FileToSend:
    path: Path
    filename: str
    content_type: str


def open_attachment(session: Session, *, actor: Actor | None, attachment_id: object
                    ) -> FileToSend:
    """For the download route: staff any file; a customer only files of their own tickets that
    were not sent with an internal note (and not others' unsent files)."""
    who = require_login(actor)
    row = session.get(TicketAttachment, record_id(attachment_id))
    if row is None:
        raise NotFound()
    ticket = _ticket_for(session, who, row.ticket_id)
    if not who.is_staff and (row.internal or ticket.customer_id != who.user_id
                             or (row.entry_id is None and row.uploader_id != who.user_id)):
        raise NotFound()
    path = _folder() / row.stored_name
    if not path.is_file():
        raise NotFound()
    return FileToSend(path, row.filename, row.content_type)


def _folder() -> Path:
    folder = Path(get_settings().attachments_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ---- helpers -------------------------------------------------------------------------------

def db_serialize(session: Session, key: str) -> None:
    db.serialize_on(session, key)


def _items(session: Session, order_id: int) -> list[ShopOrderItem]:
    return list(session.exec(select(ShopOrderItem).where(ShopOrderItem.order_id == order_id)
                             .order_by(col(ShopOrderItem.id))).all())


def _entry(session: Session, ticket: Ticket, kind: EntryKind, author_id: int | None,
           body: str, at: datetime, *, old: str = "", new: str = "") -> TicketEntry:
    entry = TicketEntry(ticket_id=ticket.id or 0, kind=kind.value, author_id=author_id,
                        body=body, old_status=old, new_status=new, at=at)
    session.add(entry)
    session.flush()
    return entry


def _announce(session: Session, ticket: Ticket, *, customer: bool = True) -> None:
    live.record(session, topic=STAFF_TICKETS, kind="ticket", ref_id=ticket.id or 0)
    if customer:
        live.record(session, topic=live.customer_topic(ticket.customer_id), kind="ticket",
                    ref_id=ticket.id or 0)


def _link(ticket: Ticket, staff: bool) -> str:
    base = get_settings().app_url
    return f"{base}/staff/ticket?id={ticket.id}" if staff else f"{base}/help/ticket?id={ticket.id}"


def _tell_customer(session: Session, ticket: Ticket, by: Actor, body: str) -> None:
    customer = session.get(User, ticket.customer_id)
    if customer is not None:
        outbox.record_email(session, to=customer.email, kind="ticket_reply_customer",
                            language=customer.language, name=customer.name,
                            ticket=ticket.id, message=body, link=_link(ticket, False))
    _announce(session, ticket)


def _tell_staff(session: Session, ticket: Ticket, by: Actor, kind: str, body: str) -> None:
    """Email the staff member who last answered the ticket, or every active staff member
    and admin if nobody has yet."""
    last = session.exec(select(User).join(TicketEntry, col(TicketEntry.author_id) == User.id)
                        .where(TicketEntry.ticket_id == ticket.id,
                               col(User.role).in_(["staff", "admin"]), col(User.active))
                        .order_by(col(TicketEntry.id).desc())).first()
    staff = [last] if last is not None else session.exec(select(User).where(
        col(User.role).in_(["staff", "admin"]), col(User.active))).all()
    for member in staff:
        outbox.record_email(session, to=member.email, kind=kind, language=member.language,
                            name=member.name, customer=by.name, ticket=ticket.id,
                            message=body, link=_link(ticket, True))
    _announce(session, ticket)


def help_badge(session: Session, *, actor: Actor | None) -> tuple[bool, int]:
    """For every storefront page: is the help icon shown, and how many of the caller's
    tickets have a reply they have not opened."""
    return self_service_enabled(session), unread_count(session, actor=actor)
