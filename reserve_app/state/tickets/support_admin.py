"""Admin "Help & tickets" (/staff/support): self-service on/off and canned responses."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.services import tickets
from reserve_app.state import kit


class SupportAdminState(rx.State):
    enabled: bool = True
    canned: list[dict[str, str]] = []
    editing: int = 0            # the canned response in the form (0: a new one)
    edit_title: str = ""
    edit_text: str = ""
    errors: dict[str, str] = {}
    form_key: int = 0

    async def _reload(self) -> None:
        actor = await kit.current_actor(self)
        self.enabled = await kit.read(tickets.self_service_enabled)
        try:
            rows = await kit.read(tickets.canned, actor=actor)
        except DomainError:
            rows = []
        self.canned = [{"id": str(c.id), "title": c.title, "text": c.text} for c in rows]

    @rx.event
    async def load(self):
        self.editing, self.edit_title, self.edit_text, self.errors = 0, "", "", {}
        return await kit.open_page(self, "admin")

    @rx.event
    async def set_enabled(self, on: bool):
        return await kit.save_and_reload(self, tickets.save_settings, enabled=on)

    @rx.event
    def edit(self, canned_id: str):
        found = next((c for c in self.canned if c["id"] == canned_id), None)
        self.editing = int(found["id"]) if found else 0
        self.edit_title = found["title"] if found else ""
        self.edit_text = found["text"] if found else ""
        self.form_key += 1

    @rx.event
    async def save(self, form: dict):
        data = form if isinstance(form, dict) else {}
        done = await kit.save_and_reload(self, tickets.save_canned, canned_id=self.editing,
                                          title=data.get("title"), text=data.get("text"))
        if not self.errors:
            self.editing, self.edit_title, self.edit_text = 0, "", ""
        return done

    @rx.event
    async def remove(self, canned_id: str):
        return await kit.save_and_reload(self, tickets.remove_canned,
                                          canned_id=kit.digits(canned_id))
