"""Admin "Rental catalogue": unit types, their units, and rental menu entries."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.i18n import fmt_money, translate
from reserve_app.services import rental_catalog as catalog
from reserve_app.settings import get_settings

from . import base
from .base import save_and_reload as save


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


@dataclass
class EntryRow:
    id: int
    title: str
    types: str


class RentalAdminState(rx.State):
    types: list[TypeRow] = []
    entries: list[EntryRow] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    @rx.event
    async def load(self):
        return await base.open_page(self, "admin")

    async def _reload(self) -> None:
        actor = await base.current_actor(self)
        lang = await base.language_of(self)
        currency = get_settings().currency
        types = await base.read(catalog.list_unit_types, actor=actor)
        names = {t.id: t.name for t in types}
        rows = []
        for t in types:
            units = await base.read(catalog.list_units, actor=actor, unit_type_id=t.id)
            rows.append(TypeRow(t.id, t.name, fmt_money(t.price_per_day, currency, lang),
                                f"{t.tax_rate.normalize():f}", t.active,
                                [UnitChip(u.id, u.name, u.active) for u in units]))
        self.types = rows
        entries = await base.read(catalog.list_menu_entries, actor=actor)
        self.entries = [EntryRow(e.id, e.title, ", ".join(names.get(i, "?")
                                                          for i in e.unit_type_ids)
                                 if e.kind == catalog.RENTAL
                                 else translate(lang, f"menu.kind.{e.kind}"))
                        for e in entries]

    @rx.event
    async def add_type(self, form: dict):
        return await save(self, catalog.save_unit_type, name=base.text_field(form, "name", 200),
                          description=base.text_field(form, "description", 4000),
                          photo_url=base.text_field(form, "photo_url", 1000),
                          price_per_day=base.text_field(form, "price_per_day", 20),
                          tax_rate=base.text_field(form, "tax_rate", 20))

    @rx.event
    async def add_unit(self, form: dict):
        type_id = base.text_field(form, "unit_type", 12)
        return await save(self, catalog.add_unit,
                          unit_type_id=int(type_id) if type_id.isdigit() else None,
                          name=base.text_field(form, "unit_name", 200))

    @rx.event
    async def add_entry(self, form: dict):
        return await save(self, catalog.save_rental_entry,
                          title=base.text_field(form, "title", 200),
                          unit_type_ids=base.checked_ids(form, "type_"))

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
