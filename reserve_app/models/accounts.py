"""Users, login sessions, one-time login tickets and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(default="customer", max_length=16, index=True)
    language: str = Field(default="en", max_length=8)
    order_sound: bool = Field(default=False)  # staff: "Play a sound for new orders"
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))


class AuthSession(SQLModel, table=True):
    """A login. Only the SHA-256 of the browser's token is stored."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class LoginTicket(SQLModel, table=True):
    """A one-time, short-lived ticket a page exchanges for the session cookie."""

    __tablename__ = "login_tickets"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    ticket_hash: str = Field(max_length=64, unique=True, index=True)
    next_path: str = Field(default="/account", max_length=512)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used: bool = Field(default=False)


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempts"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False,
                                                                  index=True))
    succeeded: bool = Field(default=False)
