"""Admin "Translations": the storefront's catalogue names in each other language."""

import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import staff_page
from reserve_app.domain.localized import Entity
from reserve_app.pages.registry import page
from reserve_app.state.staff.translations import RecordForm, TextInput, TranslationsState


def _input(inp: TextInput) -> rx.Component:
    props = dict(id=inp.id, name=inp.name, default_value=inp.value, dir=inp.dir,
                 width="100%", aria_describedby=inp.id + "-original")
    return rx.vstack(
        rx.el.label(inp.label, html_for=inp.id, font_weight="500"),
        rx.text(t("translations.original"), ": ", rx.el.span(inp.original, dir="auto"),
                id=inp.id + "-original", size="2", color_scheme="gray"),
        rx.cond(inp.multiline, rx.text_area(rows="3", **props), rx.input(**props)),
        rx.cond(inp.error != "",
                rx.text(inp.error, color_scheme="red", size="2", role="alert")),
        spacing="1", width="100%", align="stretch",
    )


def _record(row: RecordForm) -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(row.label, as_="h2", size="4"),
                rx.cond(row.context != "", rx.text(row.context, size="2", color_scheme="gray")),
                rx.el.input(type="hidden", name="entity", value=TranslationsState.entity),
                rx.el.input(type="hidden", name="record", value=row.entity_id.to_string()),
                rx.foreach(row.inputs, _input),
                rx.box(rx.button(t("translations.save"), type="submit")),
                spacing="2", align="stretch",
            ),
            aria_label=row.label,
            on_submit=TranslationsState.save,
        ),
        width="100%", max_width="40rem",
    )


@page("/staff/translations", TranslationsState.load)
def translations() -> rx.Component:
    return staff_page(
        rx.heading(t("translations.title"), as_="h1", size="7"),
        rx.text(t("translations.intro"), margin_block="0.5rem 1rem"),
        rx.vstack(
            rx.el.label(t("translations.records"), html_for="translations-entity",
                        font_weight="500"),
            rx.el.select(
                *[rx.el.option(t(f"translations.entity.{e.value}"), value=e.value)
                  for e in Entity],
                id="translations-entity", value=TranslationsState.entity,
                on_change=TranslationsState.show, class_name="native-select",
            ),
            spacing="1", max_width="20rem", margin_block_end="1rem",
        ),
        rx.cond(
            TranslationsState.has_languages,
            rx.cond(
                TranslationsState.records.length() > 0,
                rx.vstack(rx.foreach(TranslationsState.records, _record), spacing="3",
                          key=TranslationsState.form_key.to_string(), width="100%"),
                rx.text(t("translations.none")),
            ),
            rx.text(t("translations.no_languages")),
        ),
    )
