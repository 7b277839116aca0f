"""Admin "Rental catalogue": unit types, their units, and rental menu entries."""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from reserve_app.domain.errors import NotFound
from reserve_app.i18n import fmt_money, translate
from reserve_app.services.rentals import catalog
from reserve_app.settings import get_settings
from reserve_app.state import kit
from reserve_app.state.kit import save_and_reload as save


@dataclass
class UnitChip:
    id: int
    name: str
    active: bool


@dataclass
class TypeRow:
    id: int
    name: str
    price: str
    tax_rate: str
    active: bool
    units: list[UnitChip]
    description: str = ""
    photo_url: str = ""
    price_raw: str = ""


@dataclass
class EntryRow:
    id: int
    title: str
    types: str
    rental: bool = False           # only rental entries are edited here
    type_ids: list[str] = field(default_factory=list)


class RentalAdminState(rx.State):
    types: list[TypeRow] = []
    entries: list[EntryRow] = []
    editing_type: int = 0           # the record in an edit form (0: none)
    editing_unit: int = 0
    editing_entry: int = 0
    errors: dict[str, str] = {}
    form_key: int = 0               # bumped on every load and save: forms re-mount

    @rx.event
    async def load(self):
        self.editing_type = self.editing_unit = self.editing_entry = 0
        self.errors = {}
        self.form_key += 1
        return await kit.open_page(self, "admin")

    async def _reload(self) -> None:
        lang = await kit.language_of(self)
        currency = get_settings().currency
        page = await kit.read_as_caller(self, catalog.catalogue_page)
        names = {t.id: t.name for t in page.unit_types}
        self.types = [TypeRow(t.id, t.name, fmt_money(t.price_per_day, currency, lang),
                              f"{t.tax_rate.normalize():f}", t.active,
                              [UnitChip(u.id, u.name, u.active) for u in page.units[t.id]],
                              t.description, t.photo_url, str(t.price_per_day))
                      for t in page.unit_types]
        self.entries = [EntryRow(e.id, e.title, ", ".join(names.get(i, "?")
                                                          for i in e.unit_type_ids)
                                 if e.kind == catalog.RENTAL
                                 else translate(lang, f"menu.kind.{e.kind}"),
                                 e.kind == catalog.RENTAL, [str(i) for i in e.unit_type_ids])
                        for e in page.entries]

    @rx.event
    async def add_type(self, form: dict):
        return await save(self, catalog.save_unit_type, name=kit.text_field(form, "name", 200),
                          description=kit.text_field(form, "description", 4000),
                          photo_url=kit.text_field(form, "photo_url", 1000),
                          price_per_day=kit.text_field(form, "price_per_day", 20),
                          tax_rate=kit.text_field(form, "tax_rate", 20))

    @rx.event
    async def edit(self, kind: str, record_id: int):
        """Open the edit form of a unit type, unit or menu entry, with the values in force
        (read again now)."""
        await self._reload()
        found = {"type": [t.id for t in self.types],
                 "unit": [u.id for t in self.types for u in t.units],
                 "entry": [e.id for e in self.entries if e.rental]}.get(kind, [])
        self.editing_type = self.editing_unit = self.editing_entry = 0
        self.errors = {}
        self.form_key += 1
        if record_id not in found:
            return await kit.error_toast(self, NotFound())
        setattr(self, f"editing_{kind}", record_id)
        return None

    @rx.event
    def cancel_edit(self):
        self.editing_type = self.editing_unit = self.editing_entry = 0
        self.errors = {}
        self.form_key += 1

    async def _save_edit(self, prefix: str, fn, **kwargs):  # noqa: ANN001, ANN202
        done = await save(self, fn, **kwargs)
        if self.errors:  # an edit form's fields are <prefix>name, ...
            self.errors = {prefix + k: v for k, v in self.errors.items()}
        else:
            self.editing_type = self.editing_unit = self.editing_entry = 0
        return done

    @rx.event
    async def save_type(self, form: dict):
        if not self.editing_type:
            return None
        return await self._save_edit(
            "t_", catalog.save_unit_type, unit_type_id=self.editing_type,
            name=kit.text_field(form, "t_name", 200),
            description=kit.text_field(form, "t_description", 4000),
            photo_url=kit.text_field(form, "t_photo_url", 1000),
            price_per_day=kit.text_field(form, "t_price_per_day", 20),
            tax_rate=kit.text_field(form, "t_tax_rate", 20))

    @rx.event
    async def save_unit(self, form: dict):
        if not self.editing_unit:
            return None
        return await self._save_edit("u_", catalog.rename_unit, unit_id=self.editing_unit,
                                     name=kit.text_field(form, "u_unit_name", 200))

    @rx.event
    async def save_entry(self, form: dict):
        if not self.editing_entry:
            return None
        return await self._save_edit("m_", catalog.save_rental_entry,
                                     entry_id=self.editing_entry,
                                     title=kit.text_field(form, "m_title", 200),
                                     unit_type_ids=kit.checked_ids(form, "m_type_"))

    @rx.event
    async def add_unit(self, form: dict):
        type_id = kit.text_field(form, "unit_type", 12)
        return await save(self, catalog.add_unit,
                          unit_type_id=kit.digits(type_id),
                          name=kit.text_field(form, "unit_name", 200))

    @rx.event
    async def add_entry(self, form: dict):
        return await save(self, catalog.save_rental_entry,
                          title=kit.text_field(form, "title", 200),
                          unit_type_ids=kit.checked_ids(form, "type_"))

    @rx.event
    async def move(self, entry_id: int, step: int):
        return await save(self, catalog.move_entry, entry_id=entry_id, step=step)

    @rx.event
    async def toggle_unit(self, unit_id: int, active: bool):
        return await save(self, catalog.set_unit_active, unit_id=unit_id, active=active)

    @rx.event
    async def toggle_type(self, unit_type_id: int, active: bool):
        return await save(self, catalog.set_unit_type_active, unit_type_id=unit_type_id,
                          active=active)
