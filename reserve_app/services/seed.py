"""Demo data for a new database: one admin, one staff member, one customer."""

from __future__ import annotations

from sqlmodel import Session, func, select

from reserve_app.domain.accounts import NewAccount, Role
from reserve_app.models import User

from . import audit
from .auth import create_user

DEMO_USERS = (
    NewAccount("Demo Admin", "admin@example.com", "admin-pass-1", "en", Role.ADMIN),
    NewAccount("Demo Staff", "staff@example.com", "staff-pass-1", "en", Role.STAFF),
    NewAccount("Demo Customer", "customer@example.com", "customer-pass-1", "en", Role.CUSTOMER),
)


def seed_if_empty(session: Session) -> bool:
    """Insert the demo accounts when there are no users. Returns True if it seeded."""
    if session.exec(select(func.count()).select_from(User)).one():
        return False
    for data in DEMO_USERS:
        user = create_user(session, data)
        audit.record(session, actor_id=None, entity="user", entity_id=user.id or 0,
                     action="seeded", new=data.role.value)
    session.commit()
    return True
