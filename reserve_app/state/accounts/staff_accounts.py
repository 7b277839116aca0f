"""Admin page "Staff accounts": list, create, disable/enable, change role."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import translate
from reserve_app.services.accounts import staff
from reserve_app.state import kit


@dataclass
class StaffRow:
    user_id: int
    name: str
    email: str
    role: str
    active: bool


class StaffAccountsState(rx.State):
    rows: list[StaffRow] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    async def _reload(self) -> None:
        actor = await kit.current_actor(self)
        views = await kit.read(staff.list_staff, actor=actor)
        self.rows = [StaffRow(v.user_id, v.name, v.email, v.role, v.active) for v in views]

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "admin")) is not None:
            return elsewhere
        try:
            await self._reload()
        except DomainError as err:
            self.rows = []
            return await kit.error_toast(self, err)

    @rx.event
    async def create(self, form: dict):
        try:
            view = await kit.write_as_caller(
                self, staff.create_staff,
                name=kit.text_field(form, "name", 500),
                email=kit.text_field(form, "email", 500),
                password=kit.text_field(form, "password", 1024),
                role=kit.text_field(form, "role", 16),
                language=await kit.language_of(self),
            )
        except DomainError as err:
            return await kit.fail(self, err)
        self.errors = {}
        self.form_key += 1  # re-mounts the form: fields cleared
        await self._reload()
        lang = await kit.language_of(self)
        return rx.toast.success(translate(lang, "staff.created", name=view.name))

    @rx.event
    async def set_active(self, user_id: int, active: bool):
        return await kit.run(self, staff.set_active, success="staff.saved", user_id=user_id,
                             active=active)

    @rx.event
    async def change_role(self, user_id: int, role: str):
        return await kit.run(self, staff.change_role, success="staff.saved", user_id=user_id,
                             role=role)
