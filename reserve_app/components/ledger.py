"""Balance and points with their ledgers (My account, staff Customers)."""

from __future__ import annotations

import reflex as rx

from .i18n import t


def _entry(e) -> rx.Component:  # noqa: ANN001
    return rx.table.row(
        rx.table.cell(e.at),
        rx.table.cell(rx.text(e.amount, color=rx.cond(e.negative, "var(--red-11)", "inherit"))),
        rx.table.cell(e.reason),
        rx.table.cell(e.order),
    )


def _ledger(title_key: str, entries: rx.Var) -> rx.Component:
    return rx.el.section(
        rx.heading(t(title_key), as_="h3", size="3"),
        rx.cond(entries.length() == 0, rx.text(t("shop.ledger.empty"), color_scheme="gray"),
                rx.table.root(
                    rx.table.header(rx.table.row(
                        *[rx.table.column_header_cell(t(k)) for k in (
                            "shop.ledger.when", "shop.ledger.amount", "shop.ledger.what",
                            "shop.ledger.order")])),
                    rx.table.body(rx.foreach(entries, _entry)), width="100%", size="1")),
        aria_label=t(title_key), width="100%",
    )


def ledgers(state: type[rx.State]) -> rx.Component:
    """`state` has balance, balance_negative, points, money_entries, points_entries."""
    return rx.vstack(
        rx.data_list.root(
            rx.data_list.item(rx.data_list.label(t("shop.balance")), rx.data_list.value(
                rx.text(state.balance, weight="bold",  # type: ignore[attr-defined]
                        color=rx.cond(state.balance_negative,  # type: ignore[attr-defined]
                                      "var(--red-11)", "inherit")))),
            rx.data_list.item(rx.data_list.label(t("shop.points")),
                              rx.data_list.value(state.points)),  # type: ignore[attr-defined]
        ),
        rx.cond(state.balance_negative,  # type: ignore[attr-defined]
                rx.callout(t("shop.debt_notice"), color_scheme="red", role="status")),
        _ledger("shop.balance_ledger", state.money_entries),  # type: ignore[attr-defined]
        _ledger("shop.points_ledger", state.points_entries),  # type: ignore[attr-defined]
        spacing="3", width="100%",
    )
