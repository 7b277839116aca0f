"""My account (customer and staff alike)."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import LANGUAGE_NAMES, fmt_date, translate
from reserve_app.services import auth

from . import base


class AccountState(rx.State):
    name: str = ""
    email: str = ""
    role_label: str = ""
    language_name: str = ""
    member_since: str = ""

    @rx.event
    async def load(self):
        actor = await base.current_actor(self)
        if (elsewhere := await base.page_access(self, actor, "login")) is not None:
            return elsewhere
        try:
            view = await base.read(auth.account, actor=actor)
        except DomainError as err:
            return await base.error_toast(self, err)
        lang = await base.language_of(self)
        self.name = view.name
        self.email = view.email
        self.role_label = translate(lang, f"role.{view.role}")
        self.language_name = LANGUAGE_NAMES.get(view.language, view.language)
        self.member_since = fmt_date(view.created_at, lang, base.viewer_timezone(self))
