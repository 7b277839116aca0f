"""Rental entries of the storefront menu: a title and the unit types it offers; their order
among all menu entries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, delete, func, select

from reserve_app.domain.accounts import Actor, require_admin
from reserve_app.domain.errors import NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.rentals import check_flag
from reserve_app.models import MenuEntry, MenuEntryUnitType, UnitType
from reserve_app.services.platform import audit, db

RENTAL = "rental"   # the menu entry kind of a rental page


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
    shown = None if active is None else check_flag(active, "active")
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
