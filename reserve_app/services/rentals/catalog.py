"""The admin side of rentals, as one API: unit types and units (units.py), rental menu entries
(menu_entries.py), settings and extra fields (settings.py); and the catalogue page's read.

Callers use it as `from reserve_app.services.rentals import catalog; catalog.add_unit(...)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from reserve_app.domain.accounts import Actor, require_admin
from reserve_app.services.rentals.menu_entries import (
    RENTAL,
    MenuEntryView,
    list_menu_entries,
    move_entry,
    save_rental_entry,
)
from reserve_app.services.rentals.settings import (
    FieldView,
    SettingsView,
    add_field,
    field_rules,
    list_fields,
    load_settings,
    save_settings,
    settings_view,
    update_field,
)
from reserve_app.services.rentals.units import (
    UnitTypeView,
    UnitView,
    add_unit,
    list_unit_types,
    list_units,
    rename_unit,
    save_unit_type,
    set_unit_active,
    set_unit_type_active,
)

__all__ = [
    "RENTAL", "CataloguePage", "FieldView", "MenuEntryView", "SettingsView", "UnitTypeView",
    "UnitView", "add_field", "add_unit", "catalogue_page", "field_rules", "list_fields",
    "list_menu_entries", "list_unit_types", "list_units", "load_settings", "move_entry",
    "rename_unit", "save_rental_entry", "save_settings", "save_unit_type", "set_unit_active",
    "set_unit_type_active", "settings_view", "update_field",
]


@dataclass(frozen=True)
class CataloguePage:
    """What the admin "Rental catalogue" page shows, read in one transaction."""

    unit_types: list[UnitTypeView]
    units: dict[int, list[UnitView]]     # by unit type id
    entries: list[MenuEntryView]


def catalogue_page(session: Session, *, actor: Actor | None) -> CataloguePage:
    require_admin(actor)
    types = list_unit_types(session, actor=actor)
    return CataloguePage(types,
                         {t.id: list_units(session, actor=actor, unit_type_id=t.id)
                          for t in types},
                         list_menu_entries(session, actor=actor))
