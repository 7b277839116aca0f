"""Shop: settings, products (with bundle contents), orders, order items, account ledgers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Numeric, text
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class ShopSettings(SQLModel, table=True):
    """One row (id 1)."""

    __tablename__ = "shop_settings"

    id: int | None = Field(default=None, primary_key=True)
    enabled: bool = Field(default=True)
    methods: str = Field(default="cash,card,balance", max_length=64)  # comma separated


class Product(SQLModel, table=True):
    __tablename__ = "shop_products"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    kind: str = Field(default="product", max_length=16)
    price: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    tax_rate: Decimal = Field(default=Decimal("0"), sa_column=Column(Numeric(5, 2),
                                                                     nullable=False))
    points_price: int | None = Field(default=None)
    stock: int | None = Field(default=None)          # None: not tracked
    minutes: int | None = Field(default=None)        # time packages
    orderable: bool = Field(default=True)
    position: int = Field(default=0)


class BundleItem(SQLModel, table=True):
    __tablename__ = "shop_bundle_items"

    bundle_id: int = Field(foreign_key="shop_products.id", primary_key=True)
    product_id: int = Field(foreign_key="shop_products.id", primary_key=True)
    quantity: int = Field(default=1)


class ShopOrder(SQLModel, table=True):
    __tablename__ = "shop_orders"
    __table_args__ = (
        # The staff panel lists open orders oldest first.
        Index("ix_shop_orders_open", "id", sqlite_where=text("status IN ('pending','accepted')"),
              postgresql_where=text("status IN ('pending','accepted')")),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="users.id", index=True)
    status: str = Field(default="pending", max_length=16, index=True)
    method: str = Field(default="", max_length=16)     # how the customer wants to pay
    note: str = Field(default="", max_length=500)
    subtotal: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    tax: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    total: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    points: int = Field(default=0)
    currency: str = Field(max_length=3)
    paid: bool = Field(default=False)
    in_debt: bool = Field(default=False)
    points_spent: int = Field(default=0)
    fulfilment: str = Field(default="awaiting_review", max_length=16)  # see domain.tickets
    tracking_url: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))


class ShopOrderItem(SQLModel, table=True):
    __tablename__ = "shop_order_items"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="shop_orders.id", index=True)
    product_id: int = Field(foreign_key="shop_products.id")
    name: str = Field(max_length=100)             # as it was when ordered
    kind: str = Field(max_length=16)
    quantity: int
    pay_with: str = Field(max_length=8)
    unit_price: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    unit_points: int = Field(default=0)
    delivered: bool = Field(default=False)
    # Stock this line took, "product_id:units,..." (a bundle takes its contents' stock);
    # given back exactly on cancel or void even if the bundle changed since.
    stock_taken: str = Field(default="", max_length=500)


class BalanceEntry(SQLModel, table=True):
    """Money ledger: the balance is the sum; negative means the customer owes (debt)."""

    __tablename__ = "balance_entries"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="users.id", index=True)
    amount: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    reason: str = Field(max_length=24)
    order_id: int | None = Field(default=None, foreign_key="shop_orders.id")
    note: str = Field(default="", max_length=500)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class PointsEntry(SQLModel, table=True):
    """Points ledger: the points balance is the sum."""

    __tablename__ = "points_entries"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="users.id", index=True)
    points: int
    reason: str = Field(max_length=24)
    order_id: int | None = Field(default=None, foreign_key="shop_orders.id")
    note: str = Field(default="", max_length=500)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
