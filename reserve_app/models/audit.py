"""Audit trail: who changed what, when, from what to what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entries"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    entity: str = Field(max_length=64, index=True)
    entity_id: int = Field(index=True)
    action: str = Field(max_length=64)
    old_value: str = Field(default="", max_length=255)
    new_value: str = Field(default="", max_length=255)
    note: str = Field(default="", max_length=1000)
