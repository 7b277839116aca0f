"""Log in and register. Both end in a form POST to /api/session, which sets the cookie."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.accounts import safe_next_path
from reserve_app.domain.errors import DomainError
from reserve_app.i18n import translate
from reserve_app.services.accounts import auth
from reserve_app.state import kit


def _next(state: rx.State) -> str:
    return safe_next_path(state.router.url.query_parameters.get("next", "/account"))


class LoginState(rx.State):
    error: str = ""

    @rx.event
    async def clear(self):
        expired = self.router.url.query_parameters.get("expired") == "1"
        self.error = translate(await kit.language_of(self), "login.expired") if expired else ""

    @rx.event
    async def login(self, form: dict):
        email = kit.text_field(form, "email", 320)
        password = kit.text_field(form, "password", 1024)
        try:
            ticket = await kit.write(auth.start_login, email=email, password=password,
                                      next_path=_next(self))
        except DomainError as err:
            self.error = translate(await kit.language_of(self), err.key, **err.params)
            return
        self.error = ""
        return kit.post_to("/api/session", {"ticket": ticket})


class RegisterState(rx.State):
    errors: dict[str, str] = {}

    @rx.event
    def clear(self):
        self.errors = {}

    @rx.event
    async def register(self, form: dict):
        try:
            ticket = await kit.write(
                auth.register,
                name=kit.text_field(form, "name", 500),
                email=kit.text_field(form, "email", 500),
                password=kit.text_field(form, "password", 1024),
                language=kit.text_field(form, "language", 8),
                next_path=_next(self),
            )
        except DomainError as err:
            return await kit.fail(self, err)
        self.errors = {}
        return kit.post_to("/api/session", {"ticket": ticket})
