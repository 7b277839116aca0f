"""Log in and Register pages."""

import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import field, select_field, storefront_page
from reserve_app.i18n import AVAILABLE, LANGUAGE_NAMES
from reserve_app.pages.registry import page
from reserve_app.state.accounts.auth import LoginState, RegisterState
from reserve_app.state.kit.i18n import I18nState


@page("/login", LoginState.clear)
def login() -> rx.Component:
    return storefront_page(
        rx.box(
            rx.heading(t("login.title"), as_="h1", size="7"),
            rx.form(
                rx.vstack(
                    field("field.email", "email", type="email", auto_complete="username",
                          required=True),
                    field("field.password", "password", type="password",
                          auto_complete="current-password", required=True),
                    rx.cond(LoginState.error != "",
                            rx.callout(LoginState.error, color_scheme="red", role="alert",
                                       width="100%")),
                    rx.button(t("login.submit"), type="submit", width="100%"),
                    spacing="4", width="100%",
                ),
                on_submit=LoginState.login,
                margin_top="1rem",
            ),
            rx.text(t("login.no_account"), " ", rx.link(t("nav.register"), href="/register"),
                    margin_top="1rem"),
            max_width="26rem", margin_inline="auto",
        )
    )


@page("/register", RegisterState.clear)
def register() -> rx.Component:
    errors = RegisterState.errors
    return storefront_page(
        rx.box(
            rx.heading(t("register.title"), as_="h1", size="7"),
            rx.form(
                rx.vstack(
                    field("field.name", "name", errors=errors, auto_complete="name",
                          required=True, max_length=100),
                    field("field.email", "email", errors=errors, type="email",
                          auto_complete="email", required=True),
                    field("field.password", "password", errors=errors, type="password",
                          auto_complete="new-password", required=True, min_length=8),
                    rx.text(t("register.password_hint"), size="2", color_scheme="gray"),
                    select_field("field.language", "language",
                                 [(c, LANGUAGE_NAMES[c]) for c in AVAILABLE],
                                 default_value=I18nState.lang),
                    rx.button(t("register.submit"), type="submit", width="100%"),
                    spacing="4", width="100%",
                ),
                on_submit=RegisterState.register,
                margin_top="1rem",
            ),
            rx.text(t("register.have_account"), " ", rx.link(t("nav.login"), href="/login"),
                    margin_top="1rem"),
            max_width="26rem", margin_inline="auto",
        )
    )
