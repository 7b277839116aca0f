"""Admin "Rental catalogue" and "Rental settings"."""

import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import checkbox, field, select_field, staff_page, table
from reserve_app.domain.rentals import BookingStatus, FieldKind
from reserve_app.pages.registry import page
from reserve_app.state.rentals.admin import EntryRow, RentalAdminState, TypeRow, UnitChip
from reserve_app.state.rentals.settings import FieldRow, RentalSettingsState


def _unit_chip(u: UnitChip) -> rx.Component:
    return rx.hstack(
        rx.button(
            u.name, size="1", variant=rx.cond(u.active, "soft", "outline"),
            color_scheme=rx.cond(u.active, "teal", "gray"),
            text_decoration=rx.cond(u.active, "none", "line-through"),
            aria_label=rx.cond(u.active, t("catalogue.disable_unit"),
                               t("catalogue.enable_unit")) + " " + u.name,
            on_click=RentalAdminState.toggle_unit(u.id, ~u.active),
        ),
        rx.button("✎", size="1", variant="ghost",
                  aria_label=t("catalogue.edit_unit") + " " + u.name,
                  title=t("catalogue.edit_unit"),
                  on_click=RentalAdminState.edit("unit", u.id)),
        spacing="0", align="center",
    )


def _edit_box(heading: str, submit, key: rx.Var, *fields: rx.Component) -> rx.Component:  # noqa: ANN001
    """An edit form (its own name for the form landmark), "Save changes" and "Cancel"."""
    return rx.form(
        rx.vstack(
            rx.heading(t(heading), as_="h3", size="4"), *fields,
            rx.hstack(rx.button(t("common.save_changes"), type="submit"),
                      rx.button(t("common.cancel"), type="button", variant="soft",
                                on_click=RentalAdminState.cancel_edit)),
            spacing="2", width="100%"),
        on_submit=submit, key=key, aria_label=t(heading), max_width="26rem", margin_top="1rem",
        padding="1rem", border="1px solid var(--accent-8)", border_radius="var(--radius-3)")


def _edit_type() -> rx.Component:
    s = RentalAdminState
    e = s.errors
    return rx.cond(s.editing_type > 0, _edit_box(
        "catalogue.edit_type", s.save_type,
        "t" + s.editing_type.to_string() + "-" + s.form_key.to_string(),
        rx.foreach(s.types, lambda r: rx.cond(r.id == s.editing_type, rx.fragment(
            field("field.name", "t_name", errors=e, required=True, default_value=r.name),
            field("catalogue.description", "t_description", errors=e,
                  default_value=r.description),
            field("catalogue.photo_url", "t_photo_url", errors=e, default_value=r.photo_url),
            field("price.per_day", "t_price_per_day", errors=e, required=True,
                  input_mode="decimal", default_value=r.price_raw),
            field("catalogue.tax_rate", "t_tax_rate", errors=e, required=True,
                  input_mode="decimal", default_value=r.tax_rate))))))


def _edit_unit() -> rx.Component:
    s = RentalAdminState
    return rx.cond(s.editing_unit > 0, _edit_box(
        "catalogue.edit_unit", s.save_unit,
        "u" + s.editing_unit.to_string() + "-" + s.form_key.to_string(),
        rx.foreach(s.types, lambda r: rx.foreach(r.units, lambda u: rx.cond(
            u.id == s.editing_unit,
            field("catalogue.unit_name", "u_unit_name", errors=s.errors, required=True,
                  default_value=u.name))))))


def _edit_entry() -> rx.Component:
    s = RentalAdminState
    e = s.errors
    return rx.cond(s.editing_entry > 0, _edit_box(
        "catalogue.edit_entry", s.save_entry,
        "m" + s.editing_entry.to_string() + "-" + s.form_key.to_string(),
        rx.foreach(s.entries, lambda m: rx.cond(m.id == s.editing_entry, rx.fragment(
            field("catalogue.entry_title", "m_title", errors=e, required=True,
                  default_value=m.title),
            rx.el.fieldset(rx.el.legend(t("catalogue.offered_types")),
                           rx.foreach(s.types, lambda r: checkbox(
                               "m_type_" + r.id.to_string(), r.name,
                               m.type_ids.contains(r.id.to_string())))),
            rx.cond(e.contains("m_unit_types"),
                    rx.text(e["m_unit_types"], color_scheme="red", size="2",
                            role="alert")))))))


def _type_row(r: TypeRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.name), rx.table.cell(r.price), rx.table.cell(r.tax_rate, "%"),
        rx.table.cell(rx.switch(checked=r.active, aria_label=t("catalogue.offered") + " " + r.name,
                                on_change=lambda v: RentalAdminState.toggle_type(r.id, v))),
        rx.table.cell(rx.flex(rx.foreach(r.units, _unit_chip), spacing="2", wrap="wrap")),
        rx.table.cell(rx.button(t("common.edit"), variant="soft",
                                aria_label=t("common.edit") + " " + r.name,
                                on_click=RentalAdminState.edit("type", r.id))),
    )


def _entry_row(e: EntryRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e.title), rx.table.cell(e.types),
        rx.table.cell(rx.hstack(
            rx.button("↑", variant="soft", aria_label=t("menu.move_up") + " " + e.title,
                      on_click=RentalAdminState.move(e.id, -1)),
            rx.button("↓", variant="soft", aria_label=t("menu.move_down") + " " + e.title,
                      on_click=RentalAdminState.move(e.id, 1)),
            rx.cond(e.rental, rx.button(t("common.edit"), variant="soft",
                                        aria_label=t("common.edit") + " " + e.title,
                                        on_click=RentalAdminState.edit("entry", e.id))))),
    )


@page("/staff/rentals", RentalAdminState.load)
def catalogue() -> rx.Component:
    s = RentalAdminState
    e = s.errors
    return staff_page(
        rx.heading(t("staff.nav.rental_catalogue"), as_="h1", size="7"),
        rx.heading(t("catalogue.unit_types"), as_="h2", size="5", margin_top="1rem"),
        table(["field.name", "price.per_day", "price.tax", "catalogue.offered",
               "catalogue.units", "common.actions"], s.types, _type_row),
        rx.text(t("catalogue.units_hint"), size="2", color_scheme="gray"),
        _edit_type(),
        _edit_unit(),
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
        _edit_entry(),
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


@page("/staff/rental-settings", RentalSettingsState.load)
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
