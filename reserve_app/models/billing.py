"""Invoices, their yearly counters, and payments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class Invoice(SQLModel, table=True):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("order_kind", "order_id", name="uq_invoice_order"),)

    id: int | None = Field(default=None, primary_key=True)
    order_kind: str = Field(max_length=16)
    order_id: int = Field(index=True)
    customer_id: int = Field(foreign_key="users.id", index=True)
    number: str | None = Field(default=None, max_length=20, unique=True)
    status: str = Field(default="draft", max_length=16)
    subtotal: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    tax: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    total: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    currency: str = Field(max_length=3)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))
    issued_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    paid_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class InvoiceCounter(SQLModel, table=True):
    """The last invoice number used per year; updated under lock, so numbers have no gaps."""

    __tablename__ = "invoice_counters"

    year: int = Field(primary_key=True)
    last: int = Field(default=0)


class Payment(SQLModel, table=True):
    __tablename__ = "payments"

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoices.id", index=True)
    provider: str = Field(max_length=16)
    method: str = Field(default="", max_length=32)
    last4: str = Field(default="", max_length=4)      # a card's last digits, when known
    provider_ref: str = Field(default="", max_length=255, index=True)  # Checkout Session id
    intent_id: str = Field(default="", max_length=255, index=True)     # PaymentIntent id
    checkout_url: str = Field(default="", max_length=1000)
    held_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    status: str = Field(default="pending", max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))
    approved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    approved_by: int | None = Field(default=None, foreign_key="users.id")


class StripeEvent(SQLModel, table=True):
    """Each webhook event applied, stored in the transaction of its effect: the primary key
    makes a redelivery (or a concurrent second delivery) change nothing."""

    __tablename__ = "stripe_events"

    id: str = Field(primary_key=True, max_length=255)
    type: str = Field(max_length=100)
    payment_id: int | None = Field(default=None, foreign_key="payments.id")
    outcome: str = Field(default="", max_length=32)     # applied / ignored / unknown / kept
    # An event about a PaymentIntent no payment of ours has yet (a charge refunded before the
    # Checkout's completion arrived): its intent and object, kept until the payment learns
    # that intent and the event can be applied (webhooks.py, "kept").
    intent_id: str = Field(default="", max_length=255, index=True)
    kept: str | None = Field(default=None, sa_column=Column(Text()))
    received_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                           nullable=False))
