"""Staff "Tickets": the inbox (/staff/tickets, live) and one ticket (/staff/ticket?id=…)."""

from __future__ import annotations

import reflex as rx

from reserve_app import live
from reserve_app.domain.errors import DomainError
from reserve_app.presenters.tickets import (
    MatchRow,
    TicketLine,
    line,
    match_row,
    method_label,
)
from reserve_app.services import tickets
from reserve_app.services.billing import settle
from reserve_app.state import kit
from reserve_app.state.tickets.ticket_page import TicketPage


class StaffTicketsState(rx.State):
    tickets: list[TicketLine] = []
    status: str = "active"
    kind: str = ""
    updates: int = 0

    async def _reload(self, batch: live.Batch | None = None) -> None:
        actor = await live.caller(self, batch)
        try:
            rows = await kit.read(tickets.inbox, actor=actor, status=self.status,
                                   kind=self.kind)
        except DomainError:
            self.status, self.kind, rows = "active", "", []
        lang, tz = await kit.language_of(self), kit.viewer_timezone(self)
        self.tickets = [line(r, lang, tz) for r in rows]

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "staff")) is not None:
            return elsewhere
        await live.subscribe(self, tickets.STAFF_TICKETS, actor)
        await self._reload()
        return None

    @rx.event
    async def filter(self, form: dict):
        self.status = kit.text_field(form, "status", 16)
        self.kind = kit.text_field(form, "kind", 24)
        await self._reload()

    async def _live(self, events: list, batch: live.Batch) -> None:
        await self._reload(batch)
        self.updates += 1


class StaffTicketState(TicketPage, rx.State):
    customer: str = ""
    customer_email: str = ""
    details: str = ""
    method: str = ""
    method_label: str = ""
    last4: str = ""
    matches: list[MatchRow] = []
    canned: list[dict[str, str]] = []

    async def _reload(self, batch: live.Batch | None = None, mark_read: bool = False) -> None:
        shown = await self._show(batch, mark_read)
        if shown is None:
            self.matches = []
            return
        view, lang, tz = shown
        self.customer, self.customer_email = view.customer, view.customer_email
        self.details, self.method, self.last4 = view.details, view.method, view.last4
        self.method_label = method_label(view.method, lang)
        self.matches = [match_row(m, lang, tz) for m in view.match]

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "staff")) is not None:
            return elsewhere
        self.ticket_id = kit.int_param(self, "id") or 0
        self.errors = {}
        await live.subscribe(self, tickets.STAFF_TICKETS, actor)
        self.canned = [{"id": str(c.id), "title": c.title}
                       for c in await kit.read(tickets.canned, actor=actor)]
        await self._reload(mark_read=True)
        return None

    async def _live(self, events: list, batch: live.Batch) -> None:
        if any(e.ref_id == self.ticket_id for e in events):
            await self._reload(batch, mark_read=True)
            self.updates += 1

    @rx.event
    async def reply(self, form: dict):
        data = form if isinstance(form, dict) else {}
        internal = data.get("internal") in (True, "on", "true")
        return await self._act(
            tickets.reply, "ticket.note_saved" if internal else "ticket.reply_sent",
            text=data.get("message"), internal=internal,
            canned_id=kit.digits(kit.text_field(data, "canned", 12)))

    @rx.event
    async def set_status(self, status: str):
        return await self._act(tickets.set_status, "staff.saved", status=status)

    @rx.event
    async def void_payment(self, payment_id: int):
        """Released or refunded at Stripe (its webhook then voids the payment), else voided
        here."""
        return await kit.settle(self, settle.void_or_refund, tickets.void_payment,
                                payment_id=payment_id, ticket_id=self.ticket_id,
                                success="ticket.payment_void_done")
