"""Rental catalogue, settings, extra fields and booking orders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Date, Index, Numeric, Text, text
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class UnitType(SQLModel, table=True):
    __tablename__ = "unit_types"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    photo_url: str = Field(default="", max_length=500)
    price_per_day: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    tax_rate: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    active: bool = Field(default=True)


class Unit(SQLModel, table=True):
    __tablename__ = "units"

    id: int | None = Field(default=None, primary_key=True)
    unit_type_id: int = Field(foreign_key="unit_types.id", index=True)
    name: str = Field(max_length=100)
    active: bool = Field(default=True)


class MenuEntryUnitType(SQLModel, table=True):
    """Which unit types a storefront rental menu entry offers."""

    __tablename__ = "menu_entry_unit_types"

    menu_entry_id: int = Field(foreign_key="menu_entries.id", primary_key=True)
    unit_type_id: int = Field(foreign_key="unit_types.id", primary_key=True)


class RentalSettings(SQLModel, table=True):
    """One row (id 1)."""

    __tablename__ = "rental_settings"

    id: int | None = Field(default=None, primary_key=True)
    booking_enabled: bool = Field(default=True)
    initial_status: str = Field(default="pending", max_length=16)
    payments_enabled: bool = Field(default=True)
    max_days: int = Field(default=60)


class ExtraField(SQLModel, table=True):
    __tablename__ = "rental_extra_fields"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=100)
    kind: str = Field(max_length=16)
    required: bool = Field(default=False)
    shown: bool = Field(default=True)
    choices: str = Field(default="", max_length=1000)  # comma separated, for kind=choice
    position: int = Field(default=0)


class BookingOrder(SQLModel, table=True):
    __tablename__ = "booking_orders"
    __table_args__ = (
        # Availability: the latest active booking of a unit starting before a period's end.
        Index("ix_booking_orders_unit_active", "unit_id", "start_date", "end_date",
              sqlite_where=text("status IN ('pending', 'confirmed')"),
              postgresql_where=text("status IN ('pending', 'confirmed')")),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="users.id", index=True)
    unit_type_id: int = Field(foreign_key="unit_types.id", index=True)
    unit_id: int = Field(foreign_key="units.id")
    start_date: date = Field(sa_column=Column(Date, nullable=False))
    end_date: date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(max_length=16, index=True)
    price_per_day: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    tax_rate: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    subtotal: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    tax: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    total: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    currency: str = Field(max_length=3)
    answers: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))
