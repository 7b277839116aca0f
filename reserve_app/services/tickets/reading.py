"""Reading tickets: the customer's list, one ticket as the caller may see it (with what it
allows them), and the payments that likely stand behind "charged but no order"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from reserve_app.domain import tickets as rules
from reserve_app.domain.accounts import STAFF_ROLES, Actor, require_login
from reserve_app.domain.billing import InvoiceStatus, PaymentStatus
from reserve_app.domain.tickets import EntryKind, TicketStatus, TicketType
from reserve_app.models import (
    Invoice,
    Payment,
    ShopOrder,
    Ticket,
    TicketAttachment,
    TicketEntry,
    User,
)

from .common import PAGE, ticket_for
from .views import AttachmentView, EntryView, PaymentMatch, TicketRow, TicketView


def my_tickets(session: Session, *, actor: Actor | None) -> list[TicketRow]:
    who = require_login(actor)
    rows = session.exec(select(Ticket).where(Ticket.customer_id == who.user_id)
                        .order_by(col(Ticket.updated_at).desc(), col(Ticket.id).desc())
                        .limit(PAGE)).all()
    return [TicketRow(t.id or 0, who.name, t.type, t.status, t.order_id, t.updated_at,
                      t.customer_unread) for t in rows]


def ticket_view(session: Session, *, actor: Actor | None, ticket_id: object,
                mark_read: bool = False) -> TicketView:
    who = require_login(actor)
    ticket = ticket_for(session, who, ticket_id)
    if mark_read:
        flag = Ticket.staff_unread if who.is_staff else Ticket.customer_unread
        session.execute(update(Ticket).where(col(Ticket.id) == ticket.id).values({flag: False}))
        session.flush()
        session.refresh(ticket)
    return view_of(session, ticket, who)


def _files(session: Session, ticket: Ticket, who: Actor
           ) -> tuple[dict[int, list[AttachmentView]], list[AttachmentView]]:
    """The files sent with each entry, and the caller's own files not sent yet."""
    sent: dict[int, list[AttachmentView]] = {}
    pending: list[AttachmentView] = []
    query = select(TicketAttachment).where(TicketAttachment.ticket_id == ticket.id)
    if not who.is_staff:
        query = query.where(col(TicketAttachment.internal).is_(False))
    for a in session.exec(query.order_by(col(TicketAttachment.id))).all():
        view = AttachmentView(a.id or 0, a.filename, a.content_type, a.size)
        if a.entry_id is not None:
            sent.setdefault(a.entry_id, []).append(view)
        elif a.uploader_id == who.user_id:
            pending.append(view)
    return sent, pending


def view_of(session: Session, ticket: Ticket, who: Actor) -> TicketView:
    """The ticket as `who` may see it: a customer never sees an internal note or its files."""
    staff_view = who.is_staff
    query = select(TicketEntry, User.name, User.role).join(
        User, col(User.id) == TicketEntry.author_id, isouter=True).where(
        TicketEntry.ticket_id == ticket.id)
    if not staff_view:
        query = query.where(TicketEntry.kind != EntryKind.NOTE.value)
    rows = session.exec(query.order_by(col(TicketEntry.at), col(TicketEntry.id))).all()
    files, pending = _files(session, ticket, who)
    entries = [EntryView(e.id or 0, e.kind, name or "", role in STAFF_ROLES, e.body,
                         e.old_status, e.new_status, e.at, files.get(e.id or 0, []))
               for e, name, role in rows]
    customer = session.get(User, ticket.customer_id)
    order = session.get(ShopOrder, ticket.order_id) if ticket.order_id else None
    match = (likely_payments(session, ticket)
             if staff_view and ticket.type == TicketType.CHARGED_NO_ORDER.value else [])
    status = TicketStatus(ticket.status)
    return TicketView(
        ticket.id or 0, ticket.customer_id, customer.name if customer else "",
        customer.email if customer and staff_view else "", ticket.type, ticket.status,
        ticket.order_id, ticket.method, ticket.last4, ticket.details, ticket.auto,
        ticket.rating, ticket.rating_comment, ticket.created_at, ticket.updated_at,
        ticket.staff_unread if staff_view else ticket.customer_unread, entries, pending,
        order.tracking_url if order else "", match,
        can_reply=rules.can_reply(status),
        can_rate=not staff_view and rules.can_rate(status, ticket.rating is not None),
        moves=rules.actions_for(status, staff=staff_view))


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
