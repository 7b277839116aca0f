"""The customer's tickets: the list (/help/tickets) and one ticket (/help/ticket?id=…), both
live: a merchant's reply or a status change shows at once."""

from __future__ import annotations

import reflex as rx

from reserve_app import live
from reserve_app.presenters.tickets import FileRow, HistoryRow, TicketLine, line
from reserve_app.services import tickets
from reserve_app.services.platform import live as live_events
from reserve_app.state import kit
from reserve_app.state.tickets import actions as ticket_actions


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


class TicketState(rx.State):
    """One ticket, as its customer sees it (never an internal note)."""

    ticket_id: int = 0
    title: str = ""
    status: str = ""
    status_label: str = ""
    tracking_url: str = ""
    rating: int = 0
    rating_comment: str = ""
    entries: list[HistoryRow] = []
    pending: list[FileRow] = []
    missing: bool = False
    errors: dict[str, str] = {}
    form_key: int = 0
    updates: int = 0

    async def _reload(self, batch: live.Batch | None = None, mark_read: bool = False) -> None:
        if (shown := await ticket_actions.show(self, batch, mark_read)) is not None:
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
        return await ticket_actions.act(
            self, tickets.reply, "ticket.reply_sent",
            text=form.get("message") if isinstance(form, dict) else None)

    @rx.event
    async def close(self):
        return await ticket_actions.act(self, tickets.set_status, "ticket.closed_notice",
                                        status="closed")

    @rx.event
    async def rate(self, form: dict):
        data = form if isinstance(form, dict) else {}
        return await ticket_actions.act(self, tickets.rate, "ticket.rated",
                                        stars=data.get("stars"), comment=data.get("comment"))

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """A file for the next message (the service sniffs its type and caps its size)."""
        return await ticket_actions.attach(self, files)

    @rx.event
    async def drop(self, attachment_id: int):
        return await ticket_actions.drop(self, attachment_id)
