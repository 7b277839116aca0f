"""Admin "Rental catalogue" and "Rental settings"."""

import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import checkbox, field, select_field, staff_page, table
from reserve_app.domain.rentals import BookingStatus, FieldKind
from reserve_app.state.rental_admin import EntryRow, RentalAdminState, TypeRow, UnitChip
from reserve_app.state.rental_settings import FieldRow, RentalSettingsState


def _unit_chip(u: UnitChip) -> rx.Component:
    return rx.button(
        u.name, size="1", variant=rx.cond(u.active, "soft", "outline"),
        color_scheme=rx.cond(u.active, "teal", "gray"),
        text_decoration=rx.cond(u.active, "none", "line-through"),
        aria_label=rx.cond(u.active, t("catalogue.disable_unit"), t("catalogue.enable_unit"))
        + " " + u.name,
        on_click=RentalAdminState.toggle_unit(u.id, ~u.active),
    )


def _type_row(r: TypeRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.name), rx.table.cell(r.price), rx.table.cell(r.tax_rate, "%"),
        rx.table.cell(rx.switch(checked=r.active, aria_label=t("catalogue.offered") + " " + r.name,
                                on_change=lambda v: RentalAdminState.toggle_type(r.id, v))),
        rx.table.cell(rx.flex(rx.foreach(r.units, _unit_chip), spacing="2", wrap="wrap")),
    )


def _entry_row(e: EntryRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e.title), rx.table.cell(e.types),
        rx.table.cell(rx.hstack(
            rx.button("↑", variant="soft", aria_label=t("menu.move_up") + " " + e.title,
                      on_click=RentalAdminState.move(e.id, -1)),
            rx.button("↓", variant="soft", aria_label=t("menu.move_down") + " " + e.title,
                      on_click=RentalAdminState.move(e.id, 1)))),
    )


def catalogue() -> rx.Component:
    s = RentalAdminState
    e = s.errors
    return staff_page(
        rx.heading(t("staff.nav.rental_catalogue"), as_="h1", size="7"),
        rx.heading(t("catalogue.unit_types"), as_="h2", size="5", margin_top="1rem"),
        table(["field.name", "price.per_day", "price.tax", "catalogue.offered",
               "catalogue.units"], s.types, _type_row),
        rx.text(t("catalogue.units_hint"), size="2", color_scheme="gray"),
        rx.flex(
            rx.form(rx.vstack(
                rx.heading(t("catalogue.new_type"), as_="h3", size="4"),
                field("field.name", "name", errors=e, required=True),
                field("catalogue.description", "description", errors=e),
                field("catalogue.photo_url", "photo_url", errors=e),
                field("price.per_day", "price_per_day", errors=e, required=True,
                      input_mode="decimal"),
                field("catalogue.tax_rate", "tax_rate", errors=e, required=True,
                      input_mode="decimal"),
                rx.button(t("catalogue.add_type"), type="submit"), spacing="2",
                width="100%"), on_submit=s.add_type, key=s.form_key, width="20rem"),
            rx.form(rx.vstack(
                rx.heading(t("catalogue.new_unit"), as_="h3", size="4"),
                rx.el.label(t("catalogue.unit_type"), html_for="field-unit_type",
                            font_weight="500"),
                rx.el.select(rx.foreach(s.types, lambda r: rx.el.option(r.name,
                                                                         value=r.id)),
                             id="field-unit_type", name="unit_type",
                             class_name="native-select"),
                field("catalogue.unit_name", "unit_name", errors=e, required=True),
                rx.button(t("catalogue.add_unit"), type="submit"), spacing="2",
                width="100%"), on_submit=s.add_unit, key=s.form_key, width="20rem"),
            spacing="6", wrap="wrap", margin_top="1rem",
        ),
        rx.heading(t("catalogue.menu_entries"), as_="h2", size="5", margin_top="2rem"),
        table(["catalogue.entry_title", "catalogue.unit_types", "menu.position"], s.entries,
              _entry_row),
        rx.form(rx.vstack(
            rx.heading(t("catalogue.new_entry"), as_="h3", size="4"),
            field("catalogue.entry_title", "title", errors=e, required=True),
            rx.el.fieldset(rx.el.legend(t("catalogue.offered_types")),
                           rx.foreach(s.types, lambda r: checkbox("type_" + r.id.to_string(),
                                                                   r.name))),
            rx.cond(e.contains("unit_types"),
                    rx.text(e["unit_types"], color_scheme="red", size="2", role="alert")),
            rx.button(t("catalogue.add_entry"), type="submit"), spacing="2"),
            on_submit=s.add_entry, key=s.form_key, margin_top="1rem", max_width="26rem"),
    )


def _field_row(f: FieldRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(f.label), rx.table.cell(f.kind_label), rx.table.cell(f.choices),
        rx.table.cell(rx.switch(checked=f.required,
                                aria_label=t("fields.required") + " " + f.label,
                                on_change=lambda v: RentalSettingsState.toggle(f.id, v, f.shown))),
        rx.table.cell(rx.switch(checked=f.shown, aria_label=t("fields.shown") + " " + f.label,
                                on_change=lambda v: RentalSettingsState.toggle(
                                    f.id, f.required, v))),
    )


def settings() -> rx.Component:
    s = RentalSettingsState
    e = s.errors
    return staff_page(
        rx.heading(t("staff.nav.rental_settings"), as_="h1", size="7"),
        rx.form(rx.vstack(
            checkbox("booking_enabled", t("settings.booking_enabled"), s.booking_enabled),
            select_field("settings.initial_status", "initial_status",
                         [(st.value, t(f"booking.status.{st.value}")) for st in BookingStatus],
                         default_value=s.initial_status),
            checkbox("payments_enabled", t("settings.payments_enabled"), s.payments_enabled),
            field("settings.max_days", "max_days", errors=e, type="number",
                  default_value=s.max_days.to_string(), min=1, max=366),
            rx.el.input(type="hidden", name="version", value=s.version),
            rx.button(t("settings.save"), type="submit"), spacing="3", max_width="26rem"),
            on_submit=s.save_settings, key=s.form_key, margin_top="1rem"),
        rx.heading(t("fields.title"), as_="h2", size="5", margin_top="2rem"),
        table(["fields.label", "fields.kind", "fields.choices", "fields.required",
               "fields.shown"], s.fields, _field_row),
        rx.form(rx.vstack(
            rx.heading(t("fields.new"), as_="h3", size="4"),
            field("fields.label", "label", errors=e, required=True),
            select_field("fields.kind", "kind",
                         [(k.value, t(f"field_kind.{k.value}")) for k in FieldKind]),
            field("fields.choices_hint", "choices", errors=e),
            checkbox("required", t("fields.required")),
            checkbox("shown", t("fields.shown"), True),
            rx.button(t("fields.add"), type="submit"), spacing="2", max_width="26rem"),
            on_submit=s.create_field, key=s.form_key, margin_top="1rem"),
    )
