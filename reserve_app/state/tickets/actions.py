"""What the customer's and the staff's ticket pages share: an action on the open ticket, and
its files (uploaded first, sent with the next message)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from reserve_app import live
from reserve_app.domain import tickets as rules
from reserve_app.domain.errors import DomainError
from reserve_app.i18n import translate
from reserve_app.presenters.tickets import file_row, history, title
from reserve_app.services import tickets
from reserve_app.services.tickets import TicketView
from reserve_app.state import kit


async def show(state: Any, batch: live.Batch | None, mark_read: bool
               ) -> tuple[TicketView, str, str] | None:
    """Load the page's ticket as the caller sees it (marking it read if asked) and fill what
    both ticket pages show; returns the view with the language and time zone for the rest,
    or None (and an empty "not found" page) if the caller may not see it."""
    actor = await live.caller(state, batch)
    try:
        fn = kit.write if mark_read else kit.read
        view = await fn(tickets.ticket_view, actor=actor, ticket_id=state.ticket_id,
                        mark_read=mark_read)
    except DomainError:
        state.missing, state.title, state.entries, state.pending = True, "", [], []
        return None
    lang, tz = await kit.language_of(state), kit.viewer_timezone(state)
    state.missing = False
    state.title = title(view.id, view.type, view.order_id, lang)
    state.status = view.status
    state.status_label = translate(lang, f"ticket.status.{view.status}")
    state.rating = view.rating or 0
    state.entries = history(view, lang, tz)
    state.pending = [file_row(a) for a in view.pending]
    return view, lang, tz


async def act(state: Any, fn: Callable[..., object], success: str = "",
              **kwargs: Any) -> rx.event.EventSpec | None:
    """Call a ticket service on the page's ticket as the caller; reload; toast."""
    actor = await kit.current_actor(state)
    try:
        await kit.write(fn, actor=actor, ticket_id=state.ticket_id, **kwargs)
    except DomainError as err:
        await state._reload()
        return await kit.fail(state, err)
    state.errors = {}
    state.form_key += 1
    await state._reload()
    return rx.toast.success(translate(await kit.language_of(state), success)) \
        if success else None


async def attach(state: Any, files: object) -> rx.event.EventSpec | None:
    """Keep uploaded files for the next message. At most a few, each read only up to one
    byte over the limit (the upload guard has already refused larger requests)."""
    actor = await kit.current_actor(state)
    for upload in (files if isinstance(files, list) else [])[:rules.MAX_FILES_PER_MESSAGE]:
        data = await upload.read(rules.MAX_FILE_BYTES + 1)
        try:
            await kit.write(tickets.attach, actor=actor, ticket_id=state.ticket_id,
                             filename=upload.filename, data=data)
        except DomainError as err:
            await state._reload()
            return await kit.fail(state, err)
    await state._reload()
    return None


async def drop(state: Any, attachment_id: object) -> rx.event.EventSpec | None:
    actor = await kit.current_actor(state)
    try:
        await kit.write(tickets.drop_pending, actor=actor, attachment_id=attachment_id)
    except DomainError as err:
        return await kit.fail(state, err)
    await state._reload()
    return None
