"""Staff page "Outbox": the emails the app wrote, newest first."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import fmt_datetime, translate
from reserve_app.services.platform import outbox
from reserve_app.state import kit


@dataclass
class OutboxRow:
    id: int
    created: str
    to_email: str
    subject: str
    body: str
    status: str
    status_label: str
    attempts: int
    last_error: str


class OutboxState(rx.State):
    rows: list[OutboxRow] = []
    page: int = 1
    pages: int = 1
    total: int = 0

    async def _load(self, page: int):
        actor = await kit.current_actor(self)
        try:
            views, total = await kit.read(outbox.list_messages, actor=actor, page=page)
        except DomainError as err:
            self.rows = []
            return await kit.error_toast(self, err)
        lang = await kit.language_of(self)
        tz = kit.viewer_timezone(self)
        self.total = total
        self.pages = max(1, -(-total // outbox.PAGE_SIZE))
        self.page = min(page, self.pages)
        self.rows = [OutboxRow(v.id, fmt_datetime(v.created_at, lang, tz), v.to_email, v.subject,
                               v.body, v.status, translate(lang, f"outbox.status.{v.status}"),
                               v.attempts, v.last_error) for v in views]

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "staff")) is not None:
            return elsewhere
        return await self._load(1)

    @rx.event
    async def go(self, page: int):
        if not isinstance(page, int) or isinstance(page, bool) or page < 1:
            return
        return await self._load(page)
