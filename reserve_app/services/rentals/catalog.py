"""Admin side of rentals: unit types, units, rental menu entries, settings, extra fields."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sqlmodel import Session, col, delete, func, select

from reserve_app.domain import rentals, versions
from reserve_app.domain.accounts import Actor, require_admin
from reserve_app.domain.errors import NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.models import (
    ExtraField,
    MenuEntry,
    MenuEntryUnitType,
    RentalSettings,
    Unit,
    UnitType,
)
from reserve_app.services.platform import audit, db

RENTAL = "rental"



def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed({name: "field.choice_invalid"})
    return value


# --- settings ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingsView:
    booking_enabled: bool
    initial_status: str
    payments_enabled: bool
    max_days: int

    @property
    def version(self) -> str:
        """What a form showing these values sends back (see domain.versions)."""
        return versions.version_of(self.booking_enabled, self.initial_status,
                                   self.payments_enabled, self.max_days)


def load_settings(session: Session) -> RentalSettings:
    """The settings row, or the defaults (not saved) when none was saved yet."""
    return session.get(RentalSettings, 1) or RentalSettings(id=1)


def settings_view(session: Session) -> SettingsView:
    s = load_settings(session)
    return SettingsView(s.booking_enabled, s.initial_status, s.payments_enabled, s.max_days)


def save_settings(session: Session, *, actor: Actor | None, booking_enabled: object,
                  initial_status: object, payments_enabled: object, max_days: object,
                  version: object = None) -> SettingsView:
    """Save the rental settings. `version` is what the form showed (SettingsView.version):
    a save from a screen filled before another change is refused (StaleForm)."""
    admin = require_admin(actor)
    errors: dict[str, str] = {}
    status = None
    try:
        status = rentals.parse_status(initial_status)
    except ValidationFailed:
        errors["initial_status"] = "field.choice_invalid"
    if not isinstance(max_days, int) or isinstance(max_days, bool) or not 1 <= max_days <= 366:
        errors["max_days"] = "rental.max_days_invalid"
    if not isinstance(booking_enabled, bool) or not isinstance(payments_enabled, bool):
        errors["booking_enabled"] = "field.choice_invalid"
    if errors:
        raise ValidationFailed(errors)
    assert status is not None and isinstance(max_days, int)
    db.serialize_on(session, "rental_settings")  # the first save inserts the row
    versions.check(version, settings_view(session).version)
    row = load_settings(session)
    session.add(row)
    old = (row.booking_enabled, row.initial_status, row.payments_enabled, row.max_days)
    row.booking_enabled = bool(booking_enabled)
    row.initial_status = status.value
    row.payments_enabled = bool(payments_enabled)
    row.max_days = max_days
    new = (row.booking_enabled, row.initial_status, row.payments_enabled, row.max_days)
    if old != new:
        audit.record(session, actor_id=admin.user_id, entity="rental_settings", entity_id=1,
                     action="settings_changed", old=old, new=new)
    session.flush()
    return settings_view(session)


# --- unit types and units ----------------------------------------------------------------

@dataclass(frozen=True)
class UnitTypeView:
    id: int
    name: str
    description: str
    photo_url: str
    price_per_day: Decimal
    tax_rate: Decimal
    active: bool
    units: int


def list_unit_types(session: Session, *, actor: Actor | None) -> list[UnitTypeView]:
    require_admin(actor)
    counts = dict(session.exec(select(Unit.unit_type_id, func.count()).where(col(Unit.active))
                               .group_by(col(Unit.unit_type_id))).all())
    rows = session.exec(select(UnitType).order_by(col(UnitType.name))).all()
    return [UnitTypeView(t.id or 0, t.name, t.description, t.photo_url, t.price_per_day,
                         t.tax_rate, t.active, counts.get(t.id or 0, 0)) for t in rows]


def save_unit_type(session: Session, *, actor: Actor | None, unit_type_id: object = None,
                   name: object, description: object, photo_url: object,
                   price_per_day: object, tax_rate: object, active: object = None) -> int:
    """Create (unit_type_id None) or edit a unit type. `active` None: new ones are offered,
    an edit keeps what it was. Booking orders already placed keep their price and tax rate
    (copied on the order), so an edit applies to new bookings only."""
    admin = require_admin(actor)
    data = rentals.check_unit_type(name=name, description=description, photo_url=photo_url,
                                   price_per_day=price_per_day, tax_rate=tax_rate)
    offered = None if active is None else _flag(active, "active")
    if unit_type_id is None:
        row = UnitType(name=data.name, description=data.description, photo_url=data.photo_url,
                       price_per_day=data.price_per_day, tax_rate=data.tax_rate,
                       active=True if offered is None else offered)
        session.add(row)
        session.flush()
        audit.record(session, actor_id=admin.user_id, entity="unit_type",
                     entity_id=row.id or 0, action="unit_type_created",
                     new=f"{data.name} {data.price_per_day} {data.tax_rate}%")
    else:
        found = session.get(UnitType, record_id(unit_type_id))
        if found is None:
            raise NotFound()
        row = found
        db.serialize_on(session, f"unit_type:{row.id}")  # two admins editing: in turn
        session.refresh(row)
        before = _unit_type_audited(row)
        row.name, row.description, row.photo_url = data.name, data.description, data.photo_url
        row.price_per_day, row.tax_rate = data.price_per_day, data.tax_rate
        if offered is not None:
            row.active = offered
        audit.record_changes(session, actor_id=admin.user_id, entity="unit_type",
                             entity_id=row.id or 0, action="unit_type_changed",
                             before=before, after=_unit_type_audited(row))
    session.flush()
    return row.id or 0


def _unit_type_audited(row: UnitType) -> dict[str, object]:
    return {"name": row.name, "description": row.description, "photo": row.photo_url,
            "price per day": row.price_per_day, "tax rate": row.tax_rate, "offered": row.active}


_Switchable = TypeVar("_Switchable", Unit, UnitType)

def _set_active(session: Session, actor: Actor | None, model: type[_Switchable],
                entity: str, row_id: object, active: object) -> None:
    admin = require_admin(actor)
    row = session.get(model, record_id(row_id))
    if row is None:
        raise NotFound()
    active = _flag(active, "active")
    if row.active != active:
        audit.record(session, actor_id=admin.user_id, entity=entity, entity_id=row.id or 0,
                     action="active_changed", old=row.active, new=active)
        row.active = active
    session.flush()


def set_unit_type_active(session: Session, *, actor: Actor | None, unit_type_id: object,
                         active: object) -> None:
    """Offer a unit type on the storefront or not."""
    _set_active(session, actor, UnitType, "unit_type", unit_type_id, active)


def set_unit_active(session: Session, *, actor: Actor | None, unit_id: object,
                    active: object) -> None:
    """Put a unit in or out of service (out of service: never booked)."""
    _set_active(session, actor, Unit, "unit", unit_id, active)


@dataclass(frozen=True)
class UnitView:
    id: int
    unit_type_id: int
    name: str
    active: bool


def list_units(session: Session, *, actor: Actor | None, unit_type_id: object) -> list[UnitView]:
    require_admin(actor)
    type_id = record_id(unit_type_id)
    rows = session.exec(select(Unit).where(Unit.unit_type_id == type_id).order_by(Unit.name)).all()
    return [UnitView(u.id or 0, u.unit_type_id, u.name, u.active) for u in rows]


def _unit_name(name: object) -> str:
    clean = name.strip() if isinstance(name, str) else ""
    if not clean or len(clean) > 100:
        raise ValidationFailed({"unit_name": "field.required" if not clean else "field.too_long"})
    return clean


def add_unit(session: Session, *, actor: Actor | None, unit_type_id: object, name: object) -> int:
    admin = require_admin(actor)
    type_id = record_id(unit_type_id)
    if session.get(UnitType, type_id) is None:
        raise NotFound()
    clean = _unit_name(name)
    unit = Unit(unit_type_id=type_id, name=clean)
    session.add(unit)
    session.flush()
    audit.record(session, actor_id=admin.user_id, entity="unit", entity_id=unit.id or 0,
                 action="unit_created", new=clean)
    session.flush()
    return unit.id or 0


def rename_unit(session: Session, *, actor: Actor | None, unit_id: object, name: object) -> None:
    """A unit's new name. It stays in its unit type: its booking orders name that type."""
    admin = require_admin(actor)
    unit = session.get(Unit, record_id(unit_id))
    if unit is None:
        raise NotFound()
    clean = _unit_name(name)
    audit.record_changes(session, actor_id=admin.user_id, entity="unit", entity_id=unit.id or 0,
                         action="unit_renamed", before={"name": unit.name},
                         after={"name": clean})
    unit.name = clean
    session.flush()


# --- rental menu entries -------------------------------------------------------------------

@dataclass(frozen=True)
class MenuEntryView:
    id: int
    title: str
    position: int
    active: bool
    unit_type_ids: tuple[int, ...]
    kind: str = RENTAL


def list_menu_entries(session: Session, *, actor: Actor | None) -> list[MenuEntryView]:
    """Every storefront menu entry in order (rental entries with their unit types), so the
    admin sees where a rental entry sits among the others when moving it."""
    require_admin(actor)
    rows = session.exec(select(MenuEntry)
                        .order_by(col(MenuEntry.position), col(MenuEntry.id))).all()
    links = session.exec(select(MenuEntryUnitType)).all()
    return [MenuEntryView(e.id or 0, e.title, e.position, e.active,
                          tuple(sorted(link.unit_type_id for link in links
                                       if link.menu_entry_id == e.id)), e.kind) for e in rows]


def _check_entry(session: Session, title: object, unit_type_ids: object
                 ) -> tuple[str, list[int]]:
    errors: dict[str, str] = {}
    clean = title.strip() if isinstance(title, str) else ""
    if not clean:
        errors["title"] = "field.required"
    elif len(clean) > 100:
        errors["title"] = "field.too_long"
    ids = unit_type_ids if isinstance(unit_type_ids, list) else []
    ints = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
    known = (session.exec(select(UnitType.id).where(col(UnitType.id).in_(ints))).all()
             if ints else [])
    if not ids or len(ints) != len(ids) or len(known) != len(set(ints)):
        errors["unit_types"] = "rental.pick_unit_types"
    if errors:
        raise ValidationFailed(errors)
    return clean, sorted(set(ints))


def save_rental_entry(session: Session, *, actor: Actor | None, entry_id: object = None,
                      title: object, unit_type_ids: object, active: object = None) -> int:
    """Create (entry_id None) or edit a rental menu entry: its title and unit types.
    `active` None: new entries are shown, an edit keeps what it was."""
    admin = require_admin(actor)
    clean, ids = _check_entry(session, title, unit_type_ids)
    shown = None if active is None else _flag(active, "active")
    if entry_id is None:
        top = session.exec(select(func.max(MenuEntry.position))).one() or 0
        entry = MenuEntry(kind=RENTAL, title=clean, path="", position=top + 1,
                          active=True if shown is None else shown)
        session.add(entry)
        session.flush()
        entry.path = f"/rent?entry={entry.id}"
        for type_id in ids:
            session.add(MenuEntryUnitType(menu_entry_id=entry.id or 0, unit_type_id=type_id))
        audit.record(session, actor_id=admin.user_id, entity="menu_entry",
                     entity_id=entry.id or 0, action="menu_entry_saved", new=f"{clean} {ids}")
    else:
        found = session.get(MenuEntry, record_id(entry_id))
        if found is None or found.kind != RENTAL:
            raise NotFound()
        entry = found
        db.serialize_on(session, f"menu_entry:{entry.id}")
        session.refresh(entry)
        before = _entry_audited(session, entry)
        entry.title = clean
        if shown is not None:
            entry.active = shown
        session.exec(delete(MenuEntryUnitType).where(
            col(MenuEntryUnitType.menu_entry_id) == entry.id))
        for type_id in ids:
            session.add(MenuEntryUnitType(menu_entry_id=entry.id or 0, unit_type_id=type_id))
        session.flush()
        audit.record_changes(session, actor_id=admin.user_id, entity="menu_entry",
                             entity_id=entry.id or 0, action="menu_entry_changed",
                             before=before, after=_entry_audited(session, entry))
    session.flush()
    return entry.id or 0


def _entry_audited(session: Session, entry: MenuEntry) -> dict[str, object]:
    names = session.exec(select(UnitType.name).join(
        MenuEntryUnitType, col(MenuEntryUnitType.unit_type_id) == UnitType.id)
        .where(MenuEntryUnitType.menu_entry_id == entry.id).order_by(UnitType.name)).all()
    return {"title": entry.title, "unit types": list(names), "shown": entry.active}


def move_entry(session: Session, *, actor: Actor | None, entry_id: object,
               step: object) -> None:
    """Swap a menu entry with its neighbour (step -1: up, +1: down) among all entries."""
    require_admin(actor)
    if step not in (-1, 1) or isinstance(step, bool):
        raise ValidationFailed({"step": "field.choice_invalid"})
    entries = list(session.exec(select(MenuEntry)
                                .order_by(col(MenuEntry.position), col(MenuEntry.id))))
    ids = [e.id for e in entries]
    target = record_id(entry_id)
    if target not in ids:
        raise NotFound()
    i = ids.index(target)
    j = i + int(step)
    if 0 <= j < len(entries):
        entries[i], entries[j] = entries[j], entries[i]
    for position, entry in enumerate(entries, start=1):
        entry.position = position
    session.flush()


# --- extra fields ----------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldView:
    id: int
    label: str
    kind: str
    required: bool
    shown: bool
    choices: str


def list_fields(session: Session, *, shown_only: bool = False) -> list[FieldView]:
    query = select(ExtraField).order_by(col(ExtraField.position), col(ExtraField.id))
    if shown_only:
        query = query.where(col(ExtraField.shown))
    return [FieldView(f.id or 0, f.label, f.kind, f.required, f.shown, f.choices)
            for f in session.exec(query).all()]


def field_rules(session: Session) -> list[rentals.ExtraFieldRule]:
    """The rules for the fields shown on the storefront booking form."""
    return [rentals.ExtraFieldRule(f.id, f.label, rentals.FieldKind(f.kind), f.required,
                                   tuple(c for c in f.choices.split(",") if c))
            for f in list_fields(session, shown_only=True)]


def add_field(session: Session, *, actor: Actor | None, label: object, kind: object,
              required: object, shown: object, choices: object = "") -> int:
    admin = require_admin(actor)
    clean_label, clean_kind, options = rentals.check_field_definition(label=label, kind=kind,
                                                                      choices=choices)
    top = session.exec(select(func.max(ExtraField.position))).one() or 0
    row = ExtraField(label=clean_label, kind=clean_kind.value, required=_flag(required, "required"),
                     shown=_flag(shown, "shown"), choices=",".join(options), position=top + 1)
    session.add(row)
    session.flush()
    audit.record(session, actor_id=admin.user_id, entity="extra_field", entity_id=row.id or 0,
                 action="field_created", new=f"{clean_label} ({clean_kind.value})")
    session.flush()
    return row.id or 0


def update_field(session: Session, *, actor: Actor | None, field_id: object, required: object,
                 shown: object) -> None:
    admin = require_admin(actor)
    row = session.get(ExtraField, record_id(field_id))
    if row is None:
        raise NotFound()
    row.required, row.shown = _flag(required, "required"), _flag(shown, "shown")
    audit.record(session, actor_id=admin.user_id, entity="extra_field", entity_id=row.id or 0,
                 action="field_changed", new=f"required={row.required} shown={row.shown}")
    session.flush()
