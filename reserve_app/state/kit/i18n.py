"""Language of the page: a cookie for visitors, the account's setting once logged in.

A leaf of the state kit (it imports nothing from it), so the kit can read the language
for its toasts; the switcher's handler, which saves the account's language, is
`SessionState.set_language`.
"""

from __future__ import annotations

import json

import reflex as rx

from reserve_app.i18n import CATALOGS, EN, direction, normalize_language


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


async def language_of(state: rx.State) -> str:
    i18n = await state.get_state(I18nState)
    return normalize_language(i18n.lang)
