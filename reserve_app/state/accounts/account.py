"""My account (customer and staff alike)."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import LANGUAGE_NAMES, fmt_date, translate
from reserve_app.services.accounts import auth
from reserve_app.state import kit


class AccountState(rx.State):
    name: str = ""
    email: str = ""
    role_label: str = ""
    language_name: str = ""
    member_since: str = ""

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "login")) is not None:
            return elsewhere
        try:
            view = await kit.read(auth.account, actor=actor)
        except DomainError as err:
            return await kit.error_toast(self, err)
        lang = await kit.language_of(self)
        self.name = view.name
        self.email = view.email
        self.role_label = translate(lang, f"role.{view.role}")
        self.language_name = LANGUAGE_NAMES.get(view.language, view.language)
        self.member_since = fmt_date(view.created_at, lang, kit.viewer_timezone(self))
