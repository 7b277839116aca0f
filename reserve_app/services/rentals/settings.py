"""Rental settings (the booking switch, initial status, payments, the longest period) and the
extra fields of the storefront booking form."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from reserve_app.domain import rentals, versions
from reserve_app.domain.accounts import Actor, require_admin
from reserve_app.domain.errors import NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.rentals import check_flag
from reserve_app.models import ExtraField, RentalSettings
from reserve_app.services.platform import audit, db

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
    row = ExtraField(label=clean_label, kind=clean_kind.value,
                     required=check_flag(required, "required"),
                     shown=check_flag(shown, "shown"), choices=",".join(options),
                     position=top + 1)
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
    row.required, row.shown = check_flag(required, "required"), check_flag(shown, "shown")
    audit.record(session, actor_id=admin.user_id, entity="extra_field", entity_id=row.id or 0,
                 action="field_changed", new=f"required={row.required} shown={row.shown}")
    session.flush()
