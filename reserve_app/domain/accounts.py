"""Accounts, roles and who may do what."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email

from .errors import Forbidden, Unauthenticated, ValidationFailed

LANGUAGES = ("en", "ar", "he", "ru", "pl")
NAME_MAX = 100
EMAIL_MAX = 254
PASSWORD_MIN = 8
PASSWORD_MAX = 256


class Role(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.STAFF, Role.ADMIN})


@dataclass(frozen=True)
class Actor:
    """The caller, resolved server-side from the session cookie."""

    user_id: int
    role: Role
    name: str
    email: str
    language: str

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class Access(StrEnum):
    """Who may open a page: anyone logged in, staff (and admins), admins only."""

    LOGIN = "login"
    STAFF = "staff"
    ADMIN = "admin"


def may_open(actor: Actor | None, need: Access) -> bool:
    if actor is None:
        return False
    return need is Access.LOGIN or (need is Access.STAFF and actor.is_staff) or actor.is_admin


def require_login(actor: Actor | None) -> Actor:
    if actor is None:
        raise Unauthenticated()
    return actor


def require_staff(actor: Actor | None) -> Actor:
    actor = require_login(actor)
    if not actor.is_staff:
        raise Forbidden()
    return actor


def require_admin(actor: Actor | None) -> Actor:
    actor = require_login(actor)
    if not actor.is_admin:
        raise Forbidden()
    return actor


@dataclass(frozen=True)
class NewAccount:
    name: str
    email: str
    password: str
    language: str
    role: Role = Role.CUSTOMER


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) else None


def normalize_email(value: object) -> str | None:
    """The canonical form of an email address, or None when it is not one."""
    text = _text(value)
    if not text or len(text) > EMAIL_MAX:
        return None
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def check_new_account(
    *, name: object, email: object, password: object, language: object, role: object = "customer"
) -> NewAccount:
    """Validate every field of a new account at once; raise ValidationFailed with all errors."""
    errors: dict[str, str] = {}
    clean_name = _text(name)
    if not clean_name:
        errors["name"] = "field.required"
    elif len(clean_name) > NAME_MAX:
        errors["name"] = "field.too_long"
    clean_email = normalize_email(email)
    if clean_email is None:
        errors["email"] = "field.required" if not _text(email) else "field.email_invalid"
    if not isinstance(password, str) or not password:
        errors["password"] = "field.required"
    elif len(password) < PASSWORD_MIN:
        errors["password"] = "field.password_short"
    elif len(password) > PASSWORD_MAX:
        errors["password"] = "field.too_long"
    if language not in LANGUAGES:
        errors["language"] = "field.choice_invalid"
    try:
        clean_role = Role(role) if isinstance(role, str) else None
    except ValueError:
        clean_role = None
    if clean_role is None:
        errors["role"] = "field.choice_invalid"
    if errors:
        raise ValidationFailed(errors)
    assert clean_name and clean_email and isinstance(password, str) and clean_role
    return NewAccount(clean_name, clean_email, password, str(language), clean_role)


def parse_role(value: object) -> Role:
    try:
        return Role(value) if isinstance(value, str) else Role("")
    except ValueError:
        raise ValidationFailed({"role": "field.choice_invalid"}) from None


def check_staff_change(
    *, actor: Actor, target_id: int, target_role: Role, target_active: bool = True,
    new_role: Role | None = None, disable: bool = False, active_admins: int,
) -> None:
    """An admin may not lock themselves out, and the last active admin must stay one."""
    require_admin(actor)
    if target_role is Role.CUSTOMER:
        raise Forbidden("staff.not_staff_account")
    demotes = new_role is not None and new_role is not Role.ADMIN
    if (disable or demotes) and target_id == actor.user_id:
        raise Forbidden("staff.not_yourself")
    removes_an_active_admin = target_role is Role.ADMIN and target_active
    if (disable or demotes) and removes_an_active_admin and active_admins <= 1:
        raise Forbidden("staff.last_admin")
    if new_role is Role.CUSTOMER:
        raise ValidationFailed({"role": "field.choice_invalid"})


def safe_next_path(value: object, default: str = "/account") -> str:
    """A same-site path to return to after login; anything else falls back to `default`."""
    if not isinstance(value, str) or len(value) > 512:
        return default
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 32 for c in value) or value.startswith("/api/"):
        return default
    return value
