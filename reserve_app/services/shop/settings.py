"""Shop settings: the shop switch, the payment methods customers may choose, and a staff
member's "new order" sound."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from reserve_app.domain import shop as rules
from reserve_app.domain import versions
from reserve_app.domain.accounts import Actor, require_admin, require_staff
from reserve_app.domain.errors import NotFound, ValidationFailed
from reserve_app.domain.shop import PaymentMethod
from reserve_app.models import ShopSettings, User
from reserve_app.services.platform import audit, db


@dataclass(frozen=True)
class SettingsView:
    enabled: bool
    methods: list[str]

    @property
    def version(self) -> str:
        """What a form showing these values sends back (see domain.versions)."""
        return versions.version_of(self.enabled, tuple(self.methods))


def load_settings(session: Session) -> ShopSettings:
    return session.get(ShopSettings, 1) or ShopSettings(id=1)


def settings_view(session: Session) -> SettingsView:
    row = load_settings(session)
    return SettingsView(row.enabled, offered_methods(row))


def offered_methods(row: ShopSettings) -> list[str]:
    """The payment methods customers may choose (known ones only, in the row's order)."""
    known = {m.value for m in PaymentMethod}
    return [m for m in row.methods.split(",") if m in known]


def save_settings(session: Session, *, actor: Actor | None, enabled: object,
                  methods: object, version: object = None) -> SettingsView:
    """Save the shop switch and methods. `version` is what the form showed
    (SettingsView.version): a save from a screen filled before another change is refused."""
    admin = require_admin(actor)
    chosen = [m.value for m in PaymentMethod
              if isinstance(methods, list | tuple) and m.value in methods]
    if not isinstance(enabled, bool):
        raise ValidationFailed({"enabled": "field.choice_invalid"})
    rules.check_settings(enabled=enabled, methods=chosen)
    db.serialize_on(session, "shop_settings")  # the first save inserts the row
    versions.check(version, settings_view(session).version)
    row = session.get(ShopSettings, 1)
    if row is None:
        row = ShopSettings(id=1)
        session.add(row)
    old = f"{row.enabled}:{row.methods}"
    row.enabled, row.methods = enabled, ",".join(chosen)
    audit.record(session, actor_id=admin.user_id, entity="shop_settings", entity_id=1,
                 action="settings_changed", old=old, new=f"{row.enabled}:{row.methods}")
    session.flush()
    return settings_view(session)


def set_order_sound(session: Session, *, actor: Actor | None, on: object) -> bool:
    staff = require_staff(actor)
    if not isinstance(on, bool):
        raise ValidationFailed({"sound": "field.choice_invalid"})
    user = session.get(User, staff.user_id)
    if user is None:
        raise NotFound()
    user.order_sound = on
    session.flush()
    return on


def order_sound(session: Session, *, actor: Actor | None) -> bool:
    staff = require_staff(actor)
    user = session.get(User, staff.user_id)
    return bool(user and user.order_sound)
