"""Small helpers for integration tests: they call the real services on the test database."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import pytest
from sqlmodel import SQLModel, func, select

from reserve_app.domain.accounts import Actor, NewAccount, Role
from reserve_app.models import User
from reserve_app.services import auth, db
from reserve_app.settings import reset_settings

PASSWORD = "correct horse battery"


def configure(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    """Change settings for the rest of the test (the app reads them again at once)."""
    for name, value in values.items():
        monkeypatch.setenv(name, str(value))
    reset_settings()
    db.dispose()


def count(model: type[SQLModel], *where: object) -> int:
    with db.read_session() as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def rows(model: type[SQLModel], *where: object) -> list:
    with db.read_session() as session:
        return list(session.exec(select(model).where(*where).order_by(model.id)).all())


def user_by_email(email: str) -> User | None:
    with db.read_session() as session:
        return session.exec(select(User).where(User.email == email)).first()


def register(name: str = "Alice Example", email: str = "alice@example.com",
             password: str = PASSWORD, language: str = "en", **kwargs: object) -> str:
    with db.write_session() as session:
        return auth.register(session, name=name, email=email, password=password,
                             language=language, **kwargs)


def start_login(email: object, password: object, now: datetime | None = None) -> str:
    with db.write_session() as session:
        return auth.start_login(session, email=email, password=password, now=now)


def redeem(ticket: object, now: datetime | None = None) -> auth.NewSession | None:
    with db.write_session() as session:
        return auth.redeem_ticket(session, ticket=ticket, now=now)


def login(email: str, password: str = PASSWORD, now: datetime | None = None) -> str:
    """Log in the way the app does (password → ticket → session); return the cookie token."""
    new = redeem(start_login(email, password, now=now), now=now)
    assert new is not None
    return new.token


def resolve(token: str | None, now: datetime | None = None) -> Actor | None:
    with db.read_session() as session:
        return auth.resolve_actor(session, token=token, now=now)


@cache
def _password_hash(password: str) -> str:
    return auth.hash_password(password)  # argon2 is slow on purpose: hash each password once


def add_user(name: str, email: str, role: Role, password: str = PASSWORD,
             language: str = "en") -> Actor:
    """Insert an account row directly (no registration side effects); return its Actor."""
    data = NewAccount(name, email, password, language, role)
    with db.write_session() as session:
        user = User(name=data.name, email=data.email, password_hash=_password_hash(password),
                    role=data.role.value, language=data.language)
        session.add(user)
        session.commit()
        return Actor(user.id or 0, role, user.name, user.email, user.language)


def add_admin(name: str = "Ada Admin", email: str = "ada@example.com") -> Actor:
    return add_user(name, email, Role.ADMIN)
