"""Bookable services, who delivers them and when, and appointments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Date, Index, Numeric, Text, text
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class Service(SQLModel, table=True):
    __tablename__ = "services"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    duration_minutes: int
    price: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    requires_approval: bool = Field(default=False)
    multiple_clients: bool = Field(default=False)
    active: bool = Field(default=True)


class ServiceStaff(SQLModel, table=True):
    __tablename__ = "service_staff"

    service_id: int = Field(foreign_key="services.id", primary_key=True)
    staff_id: int = Field(foreign_key="users.id", primary_key=True)


class WorkingHours(SQLModel, table=True):
    """One shift of a staff member on a weekday (0 = Monday), local "HH:MM" times."""

    __tablename__ = "working_hours"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="users.id", index=True)
    weekday: int
    start: str = Field(max_length=5)
    end: str = Field(max_length=5)


class DayOff(SQLModel, table=True):
    __tablename__ = "days_off"

    staff_id: int = Field(foreign_key="users.id", primary_key=True)
    day: date = Field(sa_column=Column(Date, primary_key=True))


class Appointment(SQLModel, table=True):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_staff_holding", "staff_id", "start_at", "end_at",
              sqlite_where=text("holds_slot"), postgresql_where=text("holds_slot")),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="services.id", index=True)
    staff_id: int = Field(foreign_key="users.id")
    customer_id: int = Field(foreign_key="users.id", index=True)
    start_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    end_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    status: str = Field(max_length=16, index=True)
    # Whether this row blocks its staff member's time (the database refuses overlaps of
    # holding rows): confirmed always; pending only for "one client per slot" services.
    holds_slot: bool = Field(default=False)
    # The service's "Manually approve" when this was booked (a request is never payable,
    # even after the service is edited).
    requires_approval: bool = Field(default=False)
    price: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    currency: str = Field(max_length=3)
    private_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # A new time staff proposed for a pending request; the customer accepts or rejects it.
    proposed_start: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    proposed_end: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    proposed_staff_id: int | None = Field(default=None, foreign_key="users.id")
    proposal_token_hash: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))
