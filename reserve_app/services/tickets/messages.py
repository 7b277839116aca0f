"""The conversation on a ticket: replies (with the caller's uploaded files), staff's
internal notes and canned answers, and the customer's rating once it is closed."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from reserve_app.domain import tickets as rules
from reserve_app.domain.accounts import Actor, require_login
from reserve_app.domain.errors import DomainError, NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.tickets import EntryKind, TicketStatus
from reserve_app.models import TicketAttachment
from reserve_app.models.base import utcnow
from reserve_app.services.platform import audit

from .common import ENTITY, add_entry, announce, serialize, tell_customer, tell_staff, ticket_for
from .reading import view_of
from .support import active_canned
from .views import TicketView

NO_CANNED = (None, "", 0, "0")


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
    serialize(session, f"ticket:{record_id(ticket_id)}")
    ticket = ticket_for(session, who, ticket_id)
    body = rules.parse_text(text, field="message", limit=rules.MAX_MESSAGE, required=False)
    if canned_id not in NO_CANNED:
        if not who.is_staff:
            raise NotFound()
        chosen = active_canned(session, canned_id)
        body = f"{chosen.text}\n\n{body}".strip() if body else chosen.text
        if len(body) > rules.MAX_MESSAGE:
            raise ValidationFailed({"message": "field.too_long"})
    files = session.exec(select(TicketAttachment).where(
        TicketAttachment.ticket_id == ticket.id, col(TicketAttachment.entry_id).is_(None),
        TicketAttachment.uploader_id == who.user_id)).all()
    if not body and not files:
        raise ValidationFailed({"message": "field.required"})
    current = TicketStatus(ticket.status)
    new: TicketStatus
    if internal:
        if not rules.can_reply(current):
            raise DomainError("ticket.closed")
        new = current
    else:
        new = (rules.after_staff_reply(current) if who.is_staff
               else rules.after_customer_reply(current))
    kind = EntryKind.NOTE if internal else EntryKind.MESSAGE
    entry = add_entry(session, ticket, kind, who.user_id, body, now)
    for f in files:
        f.entry_id, f.internal = entry.id, internal
    if new is not current:
        add_entry(session, ticket, EntryKind.STATUS, who.user_id, "", now, old=current.value,
                  new=new.value)
        ticket.status = new.value
    ticket.updated_at = now
    audit.record(session, actor_id=who.user_id, entity=ENTITY, entity_id=ticket.id or 0,
                 action="ticket_note" if internal else "ticket_reply",
                 note=f"{len(files)} file(s)")
    if internal:
        announce(session, ticket, customer=False)
    elif who.is_staff:
        ticket.customer_unread = True
        tell_customer(session, ticket, body)
    else:
        ticket.staff_unread = True
        tell_staff(session, ticket, who, "ticket_reply_staff", body)
    session.flush()
    return view_of(session, ticket, who)


def rate(session: Session, *, actor: Actor | None, ticket_id: object, stars: object,
         comment: object, now: datetime | None = None) -> TicketView:
    """The customer's rating of a closed ticket: 1–5 and a comment, once."""
    who = require_login(actor)
    now = now or utcnow()
    serialize(session, f"ticket:{record_id(ticket_id)}")
    ticket = ticket_for(session, who, ticket_id)
    if who.is_staff:
        raise DomainError("ticket.customers_only")
    value, text = rules.parse_rating(stars, comment)
    rules.check_can_rate(TicketStatus(ticket.status), ticket.rating is not None)
    ticket.rating, ticket.rating_comment, ticket.updated_at = value, text, now
    ticket.staff_unread = True
    add_entry(session, ticket, EntryKind.RATING, who.user_id, text, now, new=str(value))
    audit.record(session, actor_id=who.user_id, entity=ENTITY, entity_id=ticket.id or 0,
                 action="ticket_rated", new=value)
    announce(session, ticket)
    session.flush()
    return view_of(session, ticket, who)
