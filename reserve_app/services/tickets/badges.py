"""The help icon on every storefront page, and the staff's count of tickets not closed."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from reserve_app.domain.accounts import Actor, require_staff
from reserve_app.domain.tickets import TicketStatus
from reserve_app.models import Ticket

from .support import self_service_enabled


def unread_count(session: Session, *, actor: Actor | None) -> int:
    """Tickets with a merchant reply the customer has not opened (the help icon's badge)."""
    if actor is None or actor.is_staff:
        return 0
    return session.exec(select(func.count()).select_from(Ticket).where(
        Ticket.customer_id == actor.user_id, col(Ticket.customer_unread))).one()


def open_count(session: Session, *, actor: Actor | None) -> int:
    require_staff(actor)
    return session.exec(select(func.count()).select_from(Ticket).where(
        Ticket.status != TicketStatus.CLOSED.value)).one()


def help_badge(session: Session, *, actor: Actor | None) -> tuple[bool, int]:
    """For every storefront page: is the help icon shown, and how many of the caller's
    tickets have a reply they have not opened."""
    return self_service_enabled(session), unread_count(session, actor=actor)
