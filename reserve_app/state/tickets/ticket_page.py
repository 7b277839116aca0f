"""What the customer's and the staff's ticket pages share (a mixin both states inherit): the
ticket on the page as the caller may see it, an action on it, and its files (uploaded first,
sent with the next message)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from reserve_app import live
from reserve_app.domain import tickets as rules
from reserve_app.domain.errors import DomainError
from reserve_app.presenters.tickets import (
    FileRow,
    HistoryRow,
    StatusMove,
    file_row,
    history,
    status_label,
    title,
)
from reserve_app.presenters.tickets import (
    moves as move_rows,
)
from reserve_app.services import tickets
from reserve_app.services.tickets import TicketView
from reserve_app.state import kit


class TicketPage(rx.State, mixin=True):
    ticket_id: int = 0
    title: str = ""
    status: str = ""
    status_label: str = ""
    rating: int = 0
    entries: list[HistoryRow] = []
    pending: list[FileRow] = []
    moves: list[StatusMove] = []    # the statuses the caller may set
    can_reply: bool = False
    can_rate: bool = False
    missing: bool = False
    errors: dict[str, str] = {}
    form_key: int = 0
    updates: int = 0

    async def _show(self, batch: live.Batch | None, mark_read: bool
                    ) -> tuple[TicketView, str, str] | None:
        """Load the page's ticket as the caller sees it (marking it read if asked) and fill
        what both ticket pages show; returns the view with the language and time zone for
        the rest, or None (and an empty "not found" page) if the caller may not see it."""
        actor = await live.caller(self, batch)
        try:
            fn = kit.write if mark_read else kit.read
            view = await fn(tickets.ticket_view, actor=actor, ticket_id=self.ticket_id,
                            mark_read=mark_read)
        except DomainError:
            self.missing, self.title, self.entries, self.pending = True, "", [], []
            self.moves, self.can_reply, self.can_rate = [], False, False
            return None
        lang, tz = await kit.language_of(self), kit.viewer_timezone(self)
        self.missing = False
        self.title = title(view.id, view.type, view.order_id, lang)
        self.status = view.status
        self.status_label = status_label(view.status, lang)
        self.rating = view.rating or 0
        self.entries = history(view, lang, tz)
        self.pending = [file_row(a) for a in view.pending]
        self.moves = move_rows(view, lang)
        self.can_reply, self.can_rate = view.can_reply, view.can_rate
        return view, lang, tz

    async def _reload(self, batch: live.Batch | None = None, mark_read: bool = False) -> None:
        """The page's refresh (each page adds its own part after `_show`)."""
        await self._show(batch, mark_read)

    async def _act(self, fn: Callable[..., object], success: str = "",
                   **kwargs: Any) -> rx.event.EventSpec | None:
        """A ticket use case on the page's ticket, through the one runner (`kit.run`)."""
        return await kit.run(self, fn, success=success, ticket_id=self.ticket_id, **kwargs)

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        """A file for the next message (the service sniffs its type and caps its size). At
        most a few, each read only up to one byte over the limit (the upload guard has
        already refused larger requests). The form is not re-mounted: a message being
        typed stays."""
        for upload in (files if isinstance(files, list) else [])[:rules.MAX_FILES_PER_MESSAGE]:
            data = await upload.read(rules.MAX_FILE_BYTES + 1)
            try:
                await kit.write_as_caller(self, tickets.attach, ticket_id=self.ticket_id,
                                          filename=upload.filename, data=data)
            except DomainError as err:
                await self._reload()
                return await kit.fail(self, err)
        await self._reload()
        return None

    @rx.event
    async def drop(self, attachment_id: int):
        """Take back a file not sent yet (the form is not re-mounted either)."""
        try:
            await kit.write_as_caller(self, tickets.drop_pending, attachment_id=attachment_id)
        except DomainError as err:
            return await kit.fail(self, err)
        await self._reload()
        return None
