import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import field, select_field, staff_page, table
from reserve_app.pages.registry import page
from reserve_app.state.accounts.staff_accounts import StaffAccountsState, StaffRow


def _role_select(row: StaffRow) -> rx.Component:
    return rx.el.select(
        rx.el.option(t("role.staff"), value="staff"),
        rx.el.option(t("role.admin"), value="admin"),
        value=row.role,
        aria_label=t("staff.accounts.role_of") + " " + row.name,
        on_change=lambda v: StaffAccountsState.change_role(row.user_id, v),
        class_name="native-select",
    )


def _row(row: StaffRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.name),
        rx.table.cell(row.email),
        rx.table.cell(_role_select(row)),
        rx.table.cell(rx.cond(row.active,
                              rx.badge(t("staff.accounts.active"), color_scheme="green"),
                              rx.badge(t("staff.accounts.disabled"), color_scheme="gray"))),
        rx.table.cell(rx.cond(
            row.active,
            rx.button(t("staff.accounts.disable"), color_scheme="red", variant="soft",
                      aria_label=t("staff.accounts.disable") + " " + row.name,
                      on_click=StaffAccountsState.set_active(row.user_id, False)),
            rx.button(t("staff.accounts.enable"), variant="soft",
                      aria_label=t("staff.accounts.enable") + " " + row.name,
                      on_click=StaffAccountsState.set_active(row.user_id, True)),
        )),
    )


def _create_form() -> rx.Component:
    errors = StaffAccountsState.errors
    return rx.form(
        rx.vstack(
            rx.heading(t("staff.accounts.create_title"), as_="h2", size="5"),
            field("field.name", "name", errors=errors, required=True, max_length=100),
            field("field.email", "email", errors=errors, type="email", required=True),
            field("staff.accounts.temp_password", "password", errors=errors, type="password",
                  auto_complete="new-password", required=True, min_length=8),
            select_field("account.role", "role",
                         [("staff", t("role.staff")), ("admin", t("role.admin"))],
                         default_value="staff"),
            rx.button(t("staff.accounts.create"), type="submit"),
            spacing="3", max_width="26rem", width="100%",
        ),
        key=StaffAccountsState.form_key,
        on_submit=StaffAccountsState.create,
        margin_top="2rem",
    )


@page("/staff/accounts", StaffAccountsState.load)
def accounts() -> rx.Component:
    return staff_page(
        rx.heading(t("staff.accounts.title"), as_="h1", size="7"),
        table(["field.name", "field.email", "account.role", "staff.accounts.status",
               "staff.accounts.actions"], StaffAccountsState.rows, _row, margin_top="1rem"),
        _create_form(),
    )
