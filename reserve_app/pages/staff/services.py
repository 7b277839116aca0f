"""Admin "Services": bookable services (add, edit), who delivers them, working hours and
days off."""

import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import checkbox, field, staff_page, table
from reserve_app.pages.registry import page
from reserve_app.presenters.appointments import ServiceRow
from reserve_app.state.appointments.services_admin import ServicesAdminState

WEEKDAYS = ("weekday.0", "weekday.1", "weekday.2", "weekday.3", "weekday.4", "weekday.5",
            "weekday.6")


def _service_row(r: ServiceRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.name), rx.table.cell(r.minutes), rx.table.cell(r.price),
        rx.table.cell(rx.cond(r.requires_approval, t("common.yes"), t("common.no"))),
        rx.table.cell(rx.cond(r.multiple_clients, t("common.yes"), t("common.no"))),
        rx.table.cell(r.staff),
        rx.table.cell(rx.button(t("common.edit"), variant="soft",
                                aria_label=t("common.edit") + " " + r.name,
                                on_click=ServicesAdminState.edit(r.id))),
    )


def _edit_fields(r: ServiceRow) -> rx.Component:
    s = ServicesAdminState
    e = s.errors
    return rx.fragment(
        field("field.name", "e_name", errors=e, required=True, default_value=r.name),
        field("appointment.minutes_col", "e_minutes", errors=e, type="number", required=True,
              min=5, max=720, default_value=r.minutes.to_string()),
        field("price.total", "e_price", errors=e, required=True, input_mode="decimal",
              default_value=r.price_raw),
        checkbox("e_approval", t("appointment.manual_approval"), r.requires_approval),
        checkbox("e_multiple", t("appointment.multiple_clients"), r.multiple_clients),
        rx.el.fieldset(rx.el.legend(t("appointment.delivered_by")),
                       rx.foreach(s.staff, lambda c: checkbox(
                           "e_staff_" + c.value, c.label, r.staff_ids.contains(c.value)))),
    )


def _edit_service() -> rx.Component:
    """The edit form of the service chosen with "Edit", filled with the values in force."""
    s = ServicesAdminState
    e = s.errors
    return rx.cond(s.editing > 0, rx.form(
        rx.vstack(
            rx.heading(t("appointment.edit_service"), as_="h2", size="4"),
            rx.foreach(s.rows, lambda r: rx.cond(r.id == s.editing, _edit_fields(r))),
            rx.cond(e.contains("e_staff"), rx.text(e["e_staff"], color_scheme="red", size="2",
                                                   role="alert")),
            rx.hstack(rx.button(t("common.save_changes"), type="submit"),
                      rx.button(t("common.cancel"), type="button", variant="soft",
                                on_click=s.cancel_edit)),
            spacing="2"),
        on_submit=s.save_changes, aria_label=t("appointment.edit_service"),
        key="e" + s.editing.to_string() + "-" + s.form_key.to_string(),
        max_width="26rem", margin_top="1rem", padding="1rem",
        border="1px solid var(--accent-8)", border_radius="var(--radius-3)"))


def _hours_form() -> rx.Component:
    """Working hours of the chosen staff member, showing the hours in force (two shifts a
    day); choosing another staff member shows theirs."""
    s = ServicesAdminState

    def shift(d: int, n: str, label: rx.Var | str) -> list[rx.Component]:
        return [rx.input(type="time", name=f"{edge}{n}_{d}",
                         default_value=s.hours.get(f"{edge}{n}_{d}", ""),
                         aria_label=label + " " + t(word))
                for edge, word in (("start", "appointment.from"), ("end", "appointment.until"))]

    return rx.form(rx.vstack(
        rx.heading(t("appointment.hours"), as_="h2", size="4"),
        rx.vstack(
            rx.el.label(t("appointment.staff"), html_for="hours-staff", font_weight="500"),
            rx.el.select(rx.foreach(s.staff, lambda c: rx.el.option(c.label, value=c.value)),
                         id="hours-staff", name="staff", value=s.hours_staff,
                         on_change=s.pick_hours_staff, class_name="native-select"),
            spacing="1"),
        rx.text(t("appointment.hours_columns"), size="2", color_scheme="gray"),
        *[rx.flex(rx.text(t(WEEKDAYS[d]), width="6rem"),
                  *shift(d, "", t(WEEKDAYS[d])),
                  *shift(d, "2", t(WEEKDAYS[d]) + " " + t("appointment.second_shift")),
                  align="center", spacing="2", wrap="wrap") for d in range(7)],
        rx.text(t("appointment.hours_hint"), size="2", color_scheme="gray"),
        rx.button(t("appointment.save_hours"), type="submit"), spacing="2"),
        on_submit=s.save_hours, key="h" + s.hours_staff + "-" + s.form_key.to_string(),
        width="36rem", max_width="100%")


@page("/staff/services", ServicesAdminState.load)
def services_admin() -> rx.Component:
    s = ServicesAdminState
    e = s.errors
    def staff_select(form: str) -> rx.Component:
        return rx.vstack(
            rx.el.label(t("appointment.staff"), html_for=f"{form}-staff", font_weight="500"),
            rx.el.select(rx.foreach(s.staff, lambda c: rx.el.option(c.label, value=c.value)),
                         id=f"{form}-staff", name="staff", class_name="native-select"),
            spacing="1")

    return staff_page(
        rx.heading(t("staff.nav.services"), as_="h1", size="7"),
        table(["field.name", "appointment.minutes_col", "price.total",
               "appointment.approval_col", "appointment.multiple_col", "appointment.staff",
               "common.actions"], s.rows, _service_row),
        _edit_service(),
        rx.flex(
            rx.form(rx.vstack(
                rx.heading(t("appointment.new_service"), as_="h2", size="4"),
                field("field.name", "name", errors=e, required=True),
                field("appointment.minutes_col", "minutes", errors=e, type="number",
                      required=True, min=5, max=720),
                field("price.total", "price", errors=e, required=True, input_mode="decimal"),
                checkbox("approval", t("appointment.manual_approval")),
                checkbox("multiple", t("appointment.multiple_clients")),
                rx.el.fieldset(rx.el.legend(t("appointment.delivered_by")),
                               rx.foreach(s.staff, lambda c: checkbox("staff_" + c.value,
                                                                       c.label))),
                rx.cond(e.contains("staff"), rx.text(e["staff"], color_scheme="red", size="2",
                                                     role="alert")),
                rx.button(t("appointment.add_service"), type="submit"), spacing="2"),
                on_submit=s.add_service, key=s.form_key, width="22rem"),
            _hours_form(),
            rx.form(rx.vstack(
                rx.heading(t("appointment.day_off"), as_="h2", size="4"),
                staff_select("off"),
                field("appointment.day_off_date", "day", errors=e, type="date", required=True),
                rx.button(t("appointment.add_day_off"), type="submit"), spacing="2"),
                on_submit=s.day_off, key=s.form_key, width="18rem"),
            spacing="6", wrap="wrap", margin_top="1.5rem",
        ),
    )
