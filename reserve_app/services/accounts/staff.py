"""Staff accounts (admin only): list, create, disable/enable, change role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from reserve_app.domain import accounts
from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.models import User
from reserve_app.services.accounts.auth import create_user, end_sessions_of
from reserve_app.services.platform import audit, db

STAFF_ROLE_VALUES = (Role.STAFF.value, Role.ADMIN.value)


@dataclass(frozen=True)
class StaffView:
    user_id: int
    name: str
    email: str
    role: str
    active: bool
    created_at: datetime


def list_staff(session: Session, *, actor: Actor | None) -> list[StaffView]:
    accounts.require_admin(actor)
    rows = session.exec(select(User).where(col(User.role).in_(STAFF_ROLE_VALUES))
                        .order_by(User.name)).all()
    return [StaffView(u.id or 0, u.name, u.email, u.role, u.active, u.created_at) for u in rows]


def create_staff(
    session: Session, *, actor: Actor | None, name: object, email: object, password: object,
    role: object, language: object = "en",
) -> StaffView:
    admin = accounts.require_admin(actor)
    errors: dict[str, str] = {}
    staff_role = role in STAFF_ROLE_VALUES
    try:
        data = accounts.check_new_account(name=name, email=email, password=password,
                                          language=language, role=role if staff_role else "staff")
    except ValidationFailed as err:
        errors.update(err.fields)
    if not staff_role:
        errors["role"] = "field.choice_invalid"
    if errors:
        raise ValidationFailed(errors)
    try:
        user = create_user(session, data)
        audit.record(session, actor_id=admin.user_id, entity="user", entity_id=user.id or 0,
                     action="staff_created", new=data.role.value)
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed({"email": "field.email_taken"}) from None
    return StaffView(user.id or 0, user.name, user.email, user.role, user.active, user.created_at)


def _target(session: Session, user_id: object) -> User:
    user = session.get(User, record_id(user_id))
    if user is None:
        raise NotFound()
    return user


def _active_admins(session: Session) -> int:
    """Count active admins, holding the lock that serializes admin changes until commit."""
    db.serialize_on(session, "staff:admins")
    return int(session.exec(select(func.count()).select_from(User)
                            .where(User.role == Role.ADMIN.value, col(User.active))).one())


def set_active(session: Session, *, actor: Actor | None, user_id: object, active: object
               ) -> StaffView:
    admin = accounts.require_admin(actor)
    if not isinstance(active, bool):
        raise ValidationFailed({"active": "field.choice_invalid"})
    user = _target(session, user_id)
    accounts.check_staff_change(actor=admin, target_id=user.id or 0, target_role=Role(user.role),
                                target_active=user.active, disable=not active,
                                active_admins=_active_admins(session))
    if user.active != active:
        audit.record(session, actor_id=admin.user_id, entity="user", entity_id=user.id or 0,
                     action="active_changed", old=user.active, new=active)
        user.active = active
        if not active:
            end_sessions_of(session, user.id or 0)
    session.flush()
    return StaffView(user.id or 0, user.name, user.email, user.role, user.active, user.created_at)


def change_role(session: Session, *, actor: Actor | None, user_id: object, role: object
                ) -> StaffView:
    admin = accounts.require_admin(actor)
    new_role = accounts.parse_role(role)
    user = _target(session, user_id)
    accounts.check_staff_change(actor=admin, target_id=user.id or 0, target_role=Role(user.role),
                                target_active=user.active, new_role=new_role,
                                active_admins=_active_admins(session))
    if user.role != new_role.value:
        audit.record(session, actor_id=admin.user_id, entity="user", entity_id=user.id or 0,
                     action="role_changed", old=user.role, new=new_role.value)
        user.role = new_role.value
    session.flush()
    return StaffView(user.id or 0, user.name, user.email, user.role, user.active, user.created_at)
