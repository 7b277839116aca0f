"""Promotions with variants, and the reservations (vouchers) bought from them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Numeric
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class Promotion(SQLModel, table=True):
    __tablename__ = "promotions"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=4000)
    required_action: str = Field(default="", max_length=200)   # "" = none
    instructions: str = Field(default="", max_length=4000)     # "How to redeem the voucher"
    valid_from: date | None = Field(default=None)
    valid_until: date | None = Field(default=None)
    active: bool = Field(default=True)


class PromotionVariant(SQLModel, table=True):
    __tablename__ = "promotion_variants"

    id: int | None = Field(default=None, primary_key=True)
    promotion_id: int = Field(foreign_key="promotions.id", index=True)
    name: str = Field(max_length=120)                          # "2 nights"
    price: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    tax_rate: Decimal = Field(default=Decimal("0"), sa_column=Column(Numeric(5, 2),
                                                                     nullable=False))
    position: int = Field(default=0)
    active: bool = Field(default=True)


class Reservation(SQLModel, table=True):
    __tablename__ = "reservations"
    __table_args__ = (
        # Staff filters: promotion, variant, action done or not; newest first.
        Index("ix_reservations_filter", "promotion_id", "variant_id", "action_done_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    customer_id: int = Field(foreign_key="users.id", index=True)
    promotion_id: int = Field(foreign_key="promotions.id")
    variant_id: int = Field(foreign_key="promotion_variants.id", index=True)
    status: str = Field(default="active", max_length=16)
    subtotal: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    tax: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    total: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    currency: str = Field(max_length=3)
    notes: str = Field(default="", max_length=2000)             # staff's, "Edit reservation"
    action_done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    action_done_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))
