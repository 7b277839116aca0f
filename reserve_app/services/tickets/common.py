"""What the ticket use cases share: finding a ticket the caller may see, writing a line of
its history, and telling the other side (email through the outbox, live events)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from reserve_app.domain.accounts import STAFF_ROLES, Actor
from reserve_app.domain.errors import NotFound
from reserve_app.domain.ids import record_id
from reserve_app.domain.tickets import EntryKind
from reserve_app.models import Ticket, TicketEntry, User
from reserve_app.services.platform import db, live, outbox
from reserve_app.settings import get_settings

STAFF_TICKETS = "staff:tickets"
ENTITY = "ticket"
PAGE = 50
STAFF_ROLE_VALUES = sorted(r.value for r in STAFF_ROLES)


def serialize(session: Session, key: str) -> None:
    """Serialise writers on one ticket or order (see db.serialize_on)."""
    db.serialize_on(session, key)


def ticket_for(session: Session, who: Actor, ticket_id: object) -> Ticket:
    """The ticket, if the caller may see it: staff any, a customer only their own (others
    are "not found", so ids cannot be probed)."""
    ticket = session.get(Ticket, record_id(ticket_id))
    if ticket is None or (not who.is_staff and ticket.customer_id != who.user_id):
        raise NotFound()
    return ticket


def add_entry(session: Session, ticket: Ticket, kind: EntryKind, author_id: int | None,
              body: str, at: datetime, *, old: str = "", new: str = "") -> TicketEntry:
    entry = TicketEntry(ticket_id=ticket.id or 0, kind=kind.value, author_id=author_id,
                        body=body, old_status=old, new_status=new, at=at)
    session.add(entry)
    session.flush()
    return entry


def announce(session: Session, ticket: Ticket, *, customer: bool = True) -> None:
    live.record(session, topic=STAFF_TICKETS, kind="ticket", ref_id=ticket.id or 0)
    if customer:
        live.record(session, topic=live.customer_topic(ticket.customer_id), kind="ticket",
                    ref_id=ticket.id or 0)


def _link(ticket: Ticket, staff: bool) -> str:
    base = get_settings().app_url
    return f"{base}/staff/ticket?id={ticket.id}" if staff else f"{base}/help/ticket?id={ticket.id}"


def tell_customer(session: Session, ticket: Ticket, body: str) -> None:
    customer = session.get(User, ticket.customer_id)
    if customer is not None:
        outbox.record_email(session, to=customer.email, kind="ticket_reply_customer",
                            language=customer.language, name=customer.name,
                            ticket=ticket.id, message=body, link=_link(ticket, False))
    announce(session, ticket)


def tell_staff(session: Session, ticket: Ticket, by: Actor, kind: str, body: str) -> None:
    """Email the staff member who last answered the ticket, or every active staff member
    and admin if nobody has yet."""
    last = session.exec(select(User).join(TicketEntry, col(TicketEntry.author_id) == User.id)
                        .where(TicketEntry.ticket_id == ticket.id,
                               col(User.role).in_(STAFF_ROLE_VALUES), col(User.active))
                        .order_by(col(TicketEntry.id).desc())).first()
    staff = [last] if last is not None else session.exec(select(User).where(
        col(User.role).in_(STAFF_ROLE_VALUES), col(User.active))).all()
    for member in staff:
        outbox.record_email(session, to=member.email, kind=kind, language=member.language,
                            name=member.name, customer=by.name, ticket=ticket.id,
                            message=body, link=_link(ticket, True))
    announce(session, ticket)
