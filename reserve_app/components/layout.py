"""Storefront and staff page shells. Spacing is logical (start/end) so RTL mirrors."""

from __future__ import annotations

import reflex as rx

from reserve_app.i18n import AVAILABLE, LANGUAGE_NAMES
from reserve_app.state.kit.i18n import I18nState
from reserve_app.state.kit.session import SessionState

from .direction import direction_provider
from .help_widget import help_widget
from .i18n import t

LOGOUT_JS = (
    "(function(){var f=document.createElement('form');f.method='POST';"
    "f.action='/api/logout';document.body.appendChild(f);f.submit();})()"
)


def language_switcher() -> rx.Component:
    return rx.hstack(
        rx.el.label(t("nav.language"), html_for="language-switcher", class_name="sr-only"),
        rx.el.select(
            *[rx.el.option(LANGUAGE_NAMES[code], value=code) for code in AVAILABLE],
            id="language-switcher",
            value=I18nState.lang,
            on_change=SessionState.set_language,
            class_name="lang-select",
        ),
        align="center",
    )


def logout_button() -> rx.Component:
    return rx.button(t("nav.logout"), variant="soft", on_click=rx.call_script(LOGOUT_JS))


def account_menu() -> rx.Component:
    return rx.cond(
        SessionState.logged_in,
        rx.hstack(
            rx.cond(SessionState.is_staff,
                    rx.link(t("nav.staff_dashboard"), href="/staff")),
            rx.link(t("nav.my_bookings"), href="/bookings"),
            rx.link(t("nav.my_vouchers"), href="/vouchers"),
            rx.link(t("nav.my_account"), href="/account"),
            logout_button(),
            spacing="3", align="center", wrap="wrap",
        ),
        rx.hstack(
            rx.link(t("nav.login"), href="/login"),
            rx.link(rx.button(t("nav.register")), href="/register"),
            spacing="3", align="center",
        ),
    )


def storefront_header() -> rx.Component:
    return rx.el.header(
        rx.flex(
            rx.link(rx.heading(t("app.name"), size="5"), href="/", underline="none"),
            rx.el.nav(
                rx.hstack(
                    rx.link(t("nav.home"), href="/"),
                    rx.foreach(SessionState.menu, lambda m: rx.link(m.title, href=m.path)),
                    spacing="4", wrap="wrap",
                ),
                aria_label=t("nav.main"),
            ),
            rx.spacer(),
            language_switcher(),
            account_menu(),
            align="center", wrap="wrap", spacing="4",
            padding_block="0.75rem", padding_inline="1rem",
        ),
        border_bottom="1px solid var(--gray-a5)",
    )


def footer() -> rx.Component:
    return rx.el.footer(
        rx.text(t("footer.text"), size="2", color_scheme="gray"),
        padding_block="1.5rem", padding_inline="1rem",
        border_top="1px solid var(--gray-a5)", margin_top="2rem",
    )


def page_root(*children: rx.Component) -> rx.Component:
    """The page in its language: `dir`/`lang` on the box (and on <html>, see
    state.i18n.dir_script), and Radix's direction context for its primitives."""
    return direction_provider(
        rx.box(*children, dir=I18nState.dir, lang=I18nState.lang, min_height="100vh"),
        dir=I18nState.dir,
    )


def storefront_page(*content: rx.Component) -> rx.Component:
    return page_root(
        rx.el.a(t("nav.skip"), href="#main", class_name="skip-link"),
        storefront_header(),
        rx.el.main(rx.box(*content, max_width="60rem", margin_inline="auto",
                          padding_inline="1rem", padding_block="1.5rem"), id="main"),
        footer(),
        help_widget(),
    )


def staff_nav_link(label_key: str, href: str) -> rx.Component:
    return rx.link(t(label_key), href=href, padding_block="0.35rem", display="block")


def staff_page(*content: rx.Component) -> rx.Component:
    sidebar = rx.el.nav(
        rx.vstack(
            rx.heading(t("staff.dashboard"), size="4"),
            staff_nav_link("staff.nav.home", "/staff"),
            staff_nav_link("staff.nav.orders", "/staff/orders"),
            staff_nav_link("staff.nav.tickets", "/staff/tickets"),
            staff_nav_link("staff.nav.reservations", "/staff/reservations"),
            staff_nav_link("staff.nav.bookings", "/staff/bookings"),
            staff_nav_link("staff.nav.calendar", "/staff/calendar"),
            staff_nav_link("staff.nav.customers", "/staff/customers"),
            staff_nav_link("staff.nav.outbox", "/staff/outbox"),
            rx.cond(SessionState.is_admin, rx.fragment(
                staff_nav_link("staff.nav.rental_catalogue", "/staff/rentals"),
                staff_nav_link("staff.nav.rental_settings", "/staff/rental-settings"),
                staff_nav_link("staff.nav.services", "/staff/services"),
                staff_nav_link("staff.nav.shop", "/staff/shop"),
                staff_nav_link("staff.nav.support", "/staff/support"),
                staff_nav_link("staff.nav.promotions", "/staff/promotions"),
                staff_nav_link("staff.nav.translations", "/staff/translations"),
                staff_nav_link("staff.nav.accounts", "/staff/accounts"),
            )),
            rx.divider(),
            staff_nav_link("staff.nav.storefront", "/"),
            language_switcher(),
            logout_button(),
            spacing="2", align="start",
        ),
        aria_label=t("staff.nav.label"),
        padding="1rem",
        border_inline_end=["none", "none", "1px solid var(--gray-a5)"],
        border_bottom=["1px solid var(--gray-a5)", "1px solid var(--gray-a5)", "none"],
        width=["100%", "100%", "14rem"],
        flex_shrink="0",
    )
    return page_root(
        rx.flex(
            sidebar,
            rx.el.main(rx.box(*content, padding="1rem", width="100%", overflow_x="auto"),
                       id="main", style={"flex": "1", "min-width": "0"}),
            direction=rx.breakpoints(initial="column", md="row"),
            min_height="100vh",
        )
    )


def field(label_key: str, name: str, *, errors: rx.Var | None = None, type: str = "text",
          **props) -> rx.Component:
    """A labelled input with its error text (aria-describedby) below it."""
    input_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(t(label_key), html_for=input_id, font_weight="500"),
        rx.input(id=input_id, name=name, type=type, width="100%",
                 aria_describedby=f"{input_id}-error", **props),
        rx.cond(
            errors.contains(name) if errors is not None else False,
            rx.text(errors[name] if errors is not None else "", id=f"{input_id}-error",
                    color_scheme="red", size="2", role="alert"),
        ),
        spacing="1", width="100%", align="stretch",
    )


def select_field(label_key: str, name: str, options: list[tuple[str, rx.Var | str]],
                 **props) -> rx.Component:
    """A labelled native select (accessible, submits with its form)."""
    select_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(t(label_key), html_for=select_id, font_weight="500"),
        rx.el.select(*[rx.el.option(label, value=value) for value, label in options],
                     id=select_id, name=name, class_name="native-select", **props),
        spacing="1", width="100%", align="stretch",
    )


def table(headers: list[str], rows: rx.Var, render, **props) -> rx.Component:  # noqa: ANN001
    """A table with translated column headers and one row per item of `rows`."""
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(h)) for h in headers])),
        rx.table.body(rx.foreach(rows, render)),
        width="100%", **props,
    )


def checkbox(name: str, label: rx.Var | str, checked: rx.Var | bool = False) -> rx.Component:
    """A labelled native checkbox; submits "on" with its form when checked."""
    return rx.el.label(rx.el.input(type="checkbox", name=name, default_checked=checked),
                       " ", label, display="flex", gap="0.5rem", align_items="center")
