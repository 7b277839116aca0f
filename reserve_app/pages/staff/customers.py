"""Staff "Customers": balance (debt) and points of each customer, with ledgers."""

import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import field, staff_page, table
from reserve_app.components.ledger import ledgers
from reserve_app.pages.registry import page
from reserve_app.state.accounts.customers import CustomerRow, CustomersState
from reserve_app.state.kit.session import SessionState


def _row(c: CustomerRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.button(c.name, variant="ghost", on_click=CustomersState.open(c.id),
                                aria_label=t("shop.customers.open") + ": " + c.name)),
        rx.table.cell(c.email),
        rx.table.cell(rx.text(c.balance, color=rx.cond(c.balance_negative, "var(--red-11)",
                                                       "inherit"))),
        rx.table.cell(c.points),
    )


def _adjust() -> rx.Component:
    s = CustomersState
    return rx.form(
        rx.vstack(
            rx.heading(t("shop.customers.adjust"), as_="h3", size="3"),
            rx.vstack(
                rx.el.label(t("shop.customers.ledger"), html_for="field-ledger",
                            font_weight="500"),
                rx.el.select(rx.el.option(t("shop.balance"), value="money"),
                             rx.el.option(t("shop.points"), value="points"),
                             id="field-ledger", name="ledger", class_name="native-select"),
                spacing="1"),
            field("shop.customers.amount", "amount", errors=s.errors, required=True,
                  placeholder="+10 / -5"),
            field("shop.customers.reason", "note", errors=s.errors, required=True,
                  max_length=500),
            rx.button(t("shop.customers.add_entry"), type="submit"),
            spacing="2", align="stretch", max_width="24rem"),
        on_submit=s.adjust, key=s.form_key.to_string(),
    )


@page("/staff/customers", CustomersState.load)
def customers() -> rx.Component:
    s = CustomersState
    return staff_page(
        rx.heading(t("shop.customers.title"), as_="h1", size="6"),
        rx.form(rx.hstack(
            rx.box(field("shop.customers.search", "search", default_value=s.search)),
            rx.button(t("shop.customers.find"), type="submit"), align="end", spacing="2"),
            on_submit=s.find),
        table(["field.name", "field.email", "shop.balance", "shop.points"], s.rows, _row,
              margin_top="1rem"),
        rx.cond(s.selected > 0, rx.card(
            rx.heading(s.selected_name, as_="h2", size="4"),
            ledgers(CustomersState),
            rx.cond(SessionState.is_admin, _adjust()),
            margin_top="1.5rem", width="100%")),
    )
