"""Language of the page: a cookie for visitors, the account's setting once logged in."""

from __future__ import annotations

import json

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import CATALOGS, EN, direction, normalize_language
from reserve_app.services import auth

from . import base


def dir_script(lang: str) -> rx.event.EventSpec:
    lang = normalize_language(lang)
    return rx.call_script(
        f"document.documentElement.lang={json.dumps(lang)};"
        f"document.documentElement.dir={json.dumps(direction(lang))};"
    )


class I18nState(rx.State):
    lang: str = rx.Cookie("en", name="lang", max_age=365 * 24 * 3600, same_site="lax")

    @rx.var
    def msgs(self) -> dict[str, str]:
        return CATALOGS.get(self.lang, EN)

    @rx.var
    def dir(self) -> str:
        return direction(normalize_language(self.lang))

    @rx.event
    async def set_language(self, lang: str):
        if not isinstance(lang, str) or lang not in CATALOGS:
            return rx.toast.error(CATALOGS[normalize_language(self.lang)]["field.choice_invalid"])
        self.lang = lang
        actor = await base.current_actor(self)
        if actor is not None:
            try:
                await base.write(auth.set_language, actor=actor, language=lang)
            except DomainError as err:
                return await base.error_toast(self, err)
        # Reload the page: what the server prepared (catalogue names, amounts, dates) then
        # follows the new language too, not only the page's own labels. <html> gets its new
        # dir/lang from the reloaded page's hydrate, so the flip and the new content arrive
        # together (and a test waiting for dir="rtl" waits for the reloaded page).
        return rx.call_script("window.location.reload()")
