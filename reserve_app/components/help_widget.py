"""The help icon: fixed at the bottom end corner of every storefront page (right in
left-to-right pages, left in Arabic and Hebrew), shown while self-service is on."""

from __future__ import annotations

import reflex as rx

from reserve_app.state.kit.session import SessionState

from .i18n import t


def help_widget() -> rx.Component:
    s = SessionState
    return rx.cond(
        s.help_enabled,
        rx.popover.root(
            rx.popover.trigger(
                rx.button(
                    rx.icon("circle-help", size=22), rx.text(t("help.title"), size="3"),
                    rx.cond(s.help_unread > 0,
                            rx.badge(s.help_unread, color_scheme="red", variant="solid",
                                     aria_label=t("help.unread"))),
                    size="3", radius="full", aria_label=t("help.open"),
                    class_name="help-fab",
                    style={"position": "fixed", "inset_block_end": "1.25rem",
                           "inset_inline_end": "1.25rem", "z_index": "50",
                           "box_shadow": "var(--shadow-4)"},
                ),
            ),
            rx.popover.content(
                rx.vstack(
                    rx.heading(t("help.title"), as_="h2", size="4"),
                    rx.cond(
                        s.logged_in,
                        rx.vstack(
                            rx.link(t("ticket.type.charged_no_order"), href="/help?type=charged"),
                            rx.link(t("ticket.type.order_late"), href="/help?type=late"),
                            rx.link(t("help.my_tickets"), href="/help/tickets"),
                            spacing="2"),
                        rx.vstack(rx.text(t("help.login_first")),
                                  rx.link(rx.button(t("nav.login")), href="/login?next=/help"),
                                  spacing="2"),
                    ),
                    spacing="3", align="start"),
                side="top", align="end", aria_label=t("help.title"),
            ),
        ),
    )
