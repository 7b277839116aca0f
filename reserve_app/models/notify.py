"""The outbox: every email is written here in the transaction that causes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_messages"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64, index=True)
    to_email: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=255)
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default_factory=utcnow,
                                             sa_column=Column(UTCDateTime(), index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_error: str = Field(default="", max_length=500)


class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempts"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="outbox_messages.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    ok: bool
    error: str = Field(default="", max_length=500)


class LiveEvent(SQLModel, table=True):
    """A change other screens should see, written in the transaction of the change.

    Each worker's dispatcher reads new rows and pushes them to the tabs subscribed to the
    topic ("staff:orders", "customer:<id>").
    """

    __tablename__ = "live_events"

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    ref_id: int = Field(default=0)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False,
                                                                  index=True))
