"""Who is looking at the page (for the header) and page guards.

The vars here only drive what the page shows; every protected handler resolves the caller
again from the cookie, so editing these vars from the browser grants nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.domain.accounts import Actor
from reserve_app.i18n import normalize_language
from reserve_app.services import menu, tickets

from . import base
from .i18n import I18nState, dir_script


@dataclass
class MenuLink:
    title: str
    path: str


class SessionState(rx.State):
    logged_in: bool = False
    user_name: str = ""
    role: str = ""
    menu: list[MenuLink] = []
    help_enabled: bool = False     # the help icon ("Enable self-service")
    help_unread: int = 0           # tickets with a reply not seen yet

    @rx.var
    def is_staff(self) -> bool:
        return self.role in ("staff", "admin")

    @rx.var
    def is_admin(self) -> bool:
        return self.role == "admin"

    async def _refresh(self) -> Actor | None:
        actor = await base.current_actor(self)
        self.logged_in = actor is not None
        self.user_name = actor.name if actor else ""
        self.role = actor.role.value if actor else ""
        i18n = await self.get_state(I18nState)
        if actor is not None:
            i18n.lang = normalize_language(actor.language)
        return actor

    @rx.event
    async def load(self):
        actor = await self._refresh()
        self.help_enabled, self.help_unread = await base.read(tickets.help_badge, actor=actor)
        lang = await base.language_of(self)
        self.menu = [MenuLink(title=m.title, path=m.path)
                     for m in await base.read(menu.storefront_menu, lang=lang)]
        return dir_script(lang)
