import reflex as rx

from reserve_app.components.bidi import iso
from reserve_app.components.i18n import t
from reserve_app.components.layout import staff_page, table
from reserve_app.components.status import MESSAGE_COLORS, badge
from reserve_app.pages.registry import page
from reserve_app.state.staff.outbox import OutboxRow, OutboxState


def _row(m: OutboxRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m.created),
        rx.table.cell(iso(m.to_email)),
        rx.table.cell(rx.el.details(rx.el.summary(iso(m.subject)),
                                    rx.el.pre(m.body, white_space="pre-wrap"))),
        rx.table.cell(badge(m.status, m.status_label, MESSAGE_COLORS)),
        rx.table.cell(iso(m.attempts)),
    )


@page("/staff/outbox", OutboxState.load)
def outbox() -> rx.Component:
    return staff_page(
        rx.heading(t("outbox.title"), as_="h1", size="7"),
        rx.text(t("outbox.lead"), margin_block="0.5rem"),
        rx.cond(
            OutboxState.total == 0,
            rx.text(t("outbox.empty")),
            table(["outbox.col.created", "outbox.col.to", "outbox.col.subject",
                   "outbox.col.status", "outbox.col.attempts"], OutboxState.rows, _row),
        ),
        rx.hstack(
            rx.button(t("pager.previous"), disabled=OutboxState.page <= 1,
                      on_click=OutboxState.go(OutboxState.page - 1)),
            rx.text(iso(OutboxState.page, " / ", OutboxState.pages)),
            rx.button(t("pager.next"), disabled=OutboxState.page >= OutboxState.pages,
                      on_click=OutboxState.go(OutboxState.page + 1)),
            align="center", spacing="3", margin_top="1rem",
        ),
    )
