"""Who is looking at the page (for the header), page guards, and the language switcher.

The vars here only drive what the page shows; every protected handler resolves the caller
again from the cookie, so editing these vars from the browser grants nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.domain.accounts import Actor
from reserve_app.domain.errors import DomainError
from reserve_app.i18n import CATALOGS, normalize_language
from reserve_app.services import tickets
from reserve_app.services.accounts import auth
from reserve_app.services.site import menu
from reserve_app.state import kit
from reserve_app.state.kit.i18n import I18nState, dir_script


@dataclass
class MenuLink:
    title: str
    path: str


class SessionState(rx.State):
    logged_in: bool = False
    user_name: str = ""
    is_staff: bool = False         # only what the header shows: every handler checks again
    is_admin: bool = False
    is_customer: bool = False
    menu: list[MenuLink] = []
    help_enabled: bool = False     # the help icon ("Enable self-service")
    help_unread: int = 0           # tickets with a reply not seen yet

    async def _refresh(self) -> Actor | None:
        actor = await kit.current_actor(self)
        self.logged_in = actor is not None
        self.user_name = actor.name if actor else ""
        self.is_staff = actor is not None and actor.is_staff
        self.is_admin = actor is not None and actor.is_admin
        self.is_customer = actor is not None and not actor.is_staff
        i18n = await self.get_state(I18nState)
        if actor is not None:
            i18n.lang = normalize_language(actor.language)
        return actor

    @rx.event
    async def load(self):
        actor = await self._refresh()
        self.help_enabled, self.help_unread = await kit.read(tickets.help_badge, actor=actor)
        lang = await kit.language_of(self)
        self.menu = [MenuLink(title=m.title, path=m.path)
                     for m in await kit.read(menu.storefront_menu, lang=lang)]
        return dir_script(lang)

    @rx.event
    async def set_language(self, lang: str):
        """The language switcher: the cookie for everyone, and the account's setting."""
        i18n = await self.get_state(I18nState)
        if not isinstance(lang, str) or lang not in CATALOGS:
            return rx.toast.error(CATALOGS[normalize_language(i18n.lang)]["field.choice_invalid"])
        i18n.lang = lang
        try:  # a visitor has no account: only the cookie
            await kit.write_as_caller(self, auth.remember_language, language=lang)
        except DomainError as err:
            return await kit.error_toast(self, err)
        # Reload the page: what the server prepared (catalogue names, amounts, dates) then
        # follows the new language too, not only the page's own labels. <html> gets its new
        # dir/lang from the reloaded page's hydrate, so the flip and the new content arrive
        # together (and a test waiting for dir="rtl" waits for the reloaded page).
        return rx.call_script("window.location.reload()")
