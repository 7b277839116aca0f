"""Admin "Rental settings": booking switch, initial status, payments, extra fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from reserve_app.i18n import translate
from reserve_app.services.rentals import catalog
from reserve_app.state import kit
from reserve_app.state.kit import save_and_reload as save


@dataclass
class FieldRow:
    id: int
    label: str
    kind_label: str
    required: bool
    shown: bool
    choices: str


class RentalSettingsState(rx.State):
    FORMS_SHOW_SAVED: ClassVar[bool] = True
    booking_enabled: bool = True
    initial_status: str = "pending"
    payments_enabled: bool = True
    max_days: int = 60
    fields: list[FieldRow] = []
    errors: dict[str, str] = {}
    form_key: int = 0
    version: str = ""   # of the settings the form shows (a save from a stale screen is refused)

    @rx.event
    async def load(self):
        return await kit.open_page(self, "admin")

    async def _reload(self) -> None:
        s = await kit.read(catalog.settings_view)
        self.booking_enabled, self.initial_status = s.booking_enabled, s.initial_status
        self.payments_enabled, self.max_days = s.payments_enabled, s.max_days
        self.version = s.version
        lang = await kit.language_of(self)
        self.fields = [FieldRow(f.id, f.label, translate(lang, f"field_kind.{f.kind}"),
                                f.required, f.shown, f.choices.replace(",", ", "))
                       for f in await kit.read(catalog.list_fields)]

    @rx.event
    async def save_settings(self, form: dict):
        days = kit.text_field(form, "max_days", 6)
        return await save(self, catalog.save_settings,
                          booking_enabled=kit.text_field(form, "booking_enabled") == "on",
                          initial_status=kit.text_field(form, "initial_status", 16),
                          payments_enabled=kit.text_field(form, "payments_enabled") == "on",
                          max_days=kit.digits(days),
                          version=kit.text_field(form, "version", 32))

    @rx.event
    async def create_field(self, form: dict):
        return await save(self, catalog.add_field, label=kit.text_field(form, "label", 200),
                          kind=kit.text_field(form, "kind", 16),
                          required=kit.text_field(form, "required") == "on",
                          shown=kit.text_field(form, "shown") == "on",
                          choices=kit.text_field(form, "choices", 1000))

    @rx.event
    async def toggle(self, field_id: int, required: bool, shown: bool):
        return await save(self, catalog.update_field, field_id=field_id, required=required,
                          shown=shown)
