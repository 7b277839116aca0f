"""Audit trail: one row per change, written in the transaction of the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from reserve_app.models import AuditEntry, User


@dataclass(frozen=True)
class AuditView:
    at: datetime
    actor_name: str
    action: str
    old_value: str
    new_value: str
    note: str


def record(
    session: Session, *, actor_id: int | None, entity: str, entity_id: int, action: str,
    old: object = "", new: object = "", note: str = "",
) -> AuditEntry:
    entry = AuditEntry(actor_id=actor_id, entity=entity, entity_id=entity_id, action=action,
                       old_value=str(old)[:255], new_value=str(new)[:255], note=note[:1000])
    session.add(entry)
    return entry


def shown(value: object, limit: int = 60) -> str:
    """A value as an audit row shows it: yes/no, lists joined, long text cut with '…'."""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, Decimal):
        text = f"{value.quantize(Decimal('0.01')):f}"  # amounts and rates: two places
    elif isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value) or "-"
    else:
        text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def record_changes(
    session: Session, *, actor_id: int | None, entity: str, entity_id: int, action: str,
    before: dict[str, object], after: dict[str, object],
) -> AuditEntry | None:
    """One row for an edit: old and new hold only the fields that changed ("price: 25.00;
    minutes: 30"), the note names them. Nothing changed: no row."""
    changed = [k for k in after if before.get(k) != after[k]]
    if not changed:
        return None
    return record(session, actor_id=actor_id, entity=entity, entity_id=entity_id, action=action,
                  old="; ".join(f"{k}: {shown(before.get(k))}" for k in changed),
                  new="; ".join(f"{k}: {shown(after[k])}" for k in changed),
                  note=", ".join(changed))


def history(session: Session, *, entity: str, entity_id: int) -> list[AuditView]:
    rows = session.exec(
        select(AuditEntry, User.name)
        .join(User, col(AuditEntry.actor_id) == User.id, isouter=True)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    ).all()
    return [AuditView(e.at, name or "", e.action, e.old_value, e.new_value, e.note)
            for e, name in rows]
