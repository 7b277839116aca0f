"""Unit types (what customers book: name, photo, price per day, tax rate) and their units."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sqlmodel import Session, col, func, select

from reserve_app.domain import rentals
from reserve_app.domain.accounts import Actor, require_admin
from reserve_app.domain.errors import NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.rentals import check_flag
from reserve_app.models import Unit, UnitType
from reserve_app.services.platform import audit, db


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
    offered = None if active is None else check_flag(active, "active")
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
        row = db.locked(session, UnitType, unit_type_id, "unit_type")  # two admins: in turn
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
    active = check_flag(active, "active")
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
