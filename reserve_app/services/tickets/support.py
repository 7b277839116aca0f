"""The admin's help settings: self-service on or off (the help icon), canned responses."""

from __future__ import annotations

from sqlmodel import Session, col, select

from reserve_app.domain import tickets as rules
from reserve_app.domain.accounts import Actor, require_admin, require_staff
from reserve_app.domain.errors import NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.models import CannedResponse, SupportSettings
from reserve_app.services.platform import audit

from .views import CannedView


def self_service_enabled(session: Session) -> bool:
    row = session.get(SupportSettings, 1)
    return True if row is None else row.enabled


def save_settings(session: Session, *, actor: Actor | None, enabled: object) -> bool:
    admin = require_admin(actor)
    if not isinstance(enabled, bool):
        raise ValidationFailed({"enabled": "field.choice_invalid"})
    row = session.get(SupportSettings, 1)
    if row is None:
        row = SupportSettings(id=1)
        session.add(row)
    old, row.enabled = row.enabled, enabled
    audit.record(session, actor_id=admin.user_id, entity="support_settings", entity_id=1,
                 action="settings_changed", old=old, new=enabled)
    session.flush()
    return row.enabled


def canned(session: Session, *, actor: Actor | None) -> list[CannedView]:
    require_staff(actor)
    rows = session.exec(select(CannedResponse).where(col(CannedResponse.active))
                        .order_by(col(CannedResponse.title), col(CannedResponse.id))).all()
    return [CannedView(r.id or 0, r.title, r.text) for r in rows]


def save_canned(session: Session, *, actor: Actor | None, canned_id: object, title: object,
                text: object) -> CannedView:
    """Add (`canned_id` 0) or change a canned response."""
    admin = require_admin(actor)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for field, value, limit in (("title", title, rules.MAX_TITLE),
                                ("text", text, rules.MAX_MESSAGE)):
        try:
            values[field] = rules.parse_text(value, field=field, limit=limit)
        except ValidationFailed as err:
            errors.update(err.fields)
    if errors:
        raise ValidationFailed(errors)
    if canned_id in (0, "0", None, ""):
        row = CannedResponse(title=values["title"], text=values["text"])
        session.add(row)
        session.flush()
        action = "canned_added"
    else:
        found = session.get(CannedResponse, record_id(canned_id))
        if found is None or not found.active:
            raise NotFound()
        row = found
        row.title, row.text = values["title"], values["text"]
        action = "canned_changed"
    audit.record(session, actor_id=admin.user_id, entity="canned_response",
                 entity_id=row.id or 0, action=action, new=row.title)
    session.flush()
    return CannedView(row.id or 0, row.title, row.text)


def remove_canned(session: Session, *, actor: Actor | None, canned_id: object) -> None:
    admin = require_admin(actor)
    row = session.get(CannedResponse, record_id(canned_id))
    if row is None or not row.active:
        raise NotFound()
    row.active = False
    audit.record(session, actor_id=admin.user_id, entity="canned_response",
                 entity_id=row.id or 0, action="canned_removed", old=row.title)
    session.flush()


def active_canned(session: Session, canned_id: object) -> CannedResponse:
    """A canned response staff may send (not removed), else "not found"."""
    chosen = session.get(CannedResponse, record_id(canned_id))
    if chosen is None or not chosen.active:
        raise NotFound()
    return chosen
