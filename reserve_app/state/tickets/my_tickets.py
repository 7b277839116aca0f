"""The customer's tickets: the list (/help/tickets) and one ticket (/help/ticket?id=…), both
live: a merchant's reply or a status change shows at once."""

from __future__ import annotations

import reflex as rx

from reserve_app import live
from reserve_app.domain.tickets import TicketStatus
from reserve_app.presenters.tickets import TicketLine, line
from reserve_app.services import tickets
from reserve_app.services.platform import live as live_events
from reserve_app.state import kit
from reserve_app.state.tickets.ticket_page import TicketPage


class MyTicketsState(rx.State):
    tickets: list[TicketLine] = []

    async def _reload(self, batch: live.Batch | None = None) -> None:
        actor = await live.caller(self, batch)
        rows = await kit.read(tickets.my_tickets, actor=actor) if actor is not None else []
        lang, tz = await kit.language_of(self), kit.viewer_timezone(self)
        self.tickets = [line(r, lang, tz) for r in rows]

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "login")) is not None:
            return elsewhere
        await live.subscribe(self, live_events.customer_topic(actor.user_id), actor)
        await self._reload()
        return None

    async def _live(self, events: list, batch: live.Batch) -> None:
        if any(e.kind == "ticket" for e in events):
            await self._reload(batch)


class TicketState(TicketPage, rx.State):
    """One ticket, as its customer sees it (never an internal note)."""

    tracking_url: str = ""
    rating_comment: str = ""

    async def _reload(self, batch: live.Batch | None = None, mark_read: bool = False) -> None:
        if (shown := await self._show(batch, mark_read)) is not None:
            view = shown[0]
            self.tracking_url, self.rating_comment = view.tracking_url, view.rating_comment

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "login")) is not None:
            return elsewhere
        self.ticket_id = kit.int_param(self, "id") or 0
        self.errors = {}
        await live.subscribe(self, live_events.customer_topic(actor.user_id), actor)
        await self._reload(mark_read=True)
        return None

    async def _live(self, events: list, batch: live.Batch) -> None:
        if any(e.kind == "ticket" and e.ref_id == self.ticket_id for e in events):
            await self._reload(batch, mark_read=True)
            self.updates += 1

    @rx.event
    async def reply(self, form: dict):
        return await self._act(tickets.reply, "ticket.reply_sent",
                               text=form.get("message") if isinstance(form, dict) else None)

    @rx.event
    async def close(self):
        return await self._act(tickets.set_status, "ticket.closed_notice",
                               status=TicketStatus.CLOSED.value)

    @rx.event
    async def rate(self, form: dict):
        data = form if isinstance(form, dict) else {}
        return await self._act(tickets.rate, "ticket.rated", stars=data.get("stars"),
                               comment=data.get("comment"))
