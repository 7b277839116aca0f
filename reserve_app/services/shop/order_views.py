"""Reading orders: the staff panel (open and recently closed), the customer's own orders,
and one order. Each view says what the order allows (`actions`, from the status table)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnExpressionArgument
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select

from reserve_app.domain import shop as rules
from reserve_app.domain.accounts import Actor, require_login, require_staff
from reserve_app.domain.errors import NotFound
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.domain.money import q
from reserve_app.domain.shop import OrderStatus
from reserve_app.models import BalanceEntry, Invoice, ShopOrder, ShopOrderItem, User
from reserve_app.services.site import localized

from .records import ORDER_KIND


@dataclass(frozen=True)
class ItemView:
    id: int
    name: str
    kind: str
    quantity: int
    pay_with: str
    unit_price: Decimal
    unit_points: int
    delivered: bool


@dataclass(frozen=True)
class OrderView:
    id: int
    customer_id: int
    customer: str
    status: str
    method: str
    note: str
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    points: int
    currency: str
    paid: bool
    in_debt: bool
    invoice_number: str
    created_at: datetime
    items: list[ItemView]
    actions: list[str]
    customer_balance: Decimal
    fulfilment: str = "awaiting_review"
    tracking_url: str = ""


@dataclass(frozen=True)
class StaffPanel:
    """The staff "Orders" panel in one read: who asked, open and recently closed orders."""
    actor: Actor | None
    open: list[OrderView]
    recent: list[OrderView]


def views_of(session: Session, orders: Sequence[ShopOrder]) -> list[OrderView]:
    """Views of orders already loaded (after a change): read again as the lists read them."""
    ids = [o.id or 0 for o in orders]
    return _read_views(session, col(ShopOrder.id).in_(ids), order_by=(col(ShopOrder.id),),
                       limit=len(ids)) if ids else []


def _read_views(session: Session, *where: ColumnExpressionArgument[bool],
                order_by: Sequence[ColumnExpressionArgument[Any]], limit: int, lang: str = ""
                ) -> list[OrderView]:
    """Order views in two queries of plain columns (the live panel re-reads the open orders
    on every change, so this is on its hot path): the orders with their customer's name,
    invoice number and balance, then their items. With `lang` (the customer's own pages)
    items are named as their product is in that language, where an admin gave a name; else
    as they were when ordered."""
    balance = (select(func.coalesce(func.sum(BalanceEntry.amount), 0))
               .where(col(BalanceEntry.customer_id) == col(ShopOrder.customer_id))
               .correlate(ShopOrder).scalar_subquery())
    # More columns than `select`'s typed overloads take: rows are tuples of Any, unpacked
    # by name below.
    rows: Sequence[tuple[Any, ...]] = session.exec(
        Select(col(ShopOrder.id), col(ShopOrder.customer_id), col(User.name),
               col(ShopOrder.status), col(ShopOrder.method), col(ShopOrder.note),
               col(ShopOrder.subtotal), col(ShopOrder.tax), col(ShopOrder.total),
               col(ShopOrder.points), col(ShopOrder.currency), col(ShopOrder.paid),
               col(ShopOrder.in_debt), col(Invoice.number), col(ShopOrder.created_at), balance,
               col(ShopOrder.fulfilment), col(ShopOrder.tracking_url))
        .join(User, col(User.id) == col(ShopOrder.customer_id), isouter=True)
        .join(Invoice, (col(Invoice.order_id) == col(ShopOrder.id))
              & (col(Invoice.order_kind) == ORDER_KIND), isouter=True)
        .where(*where).order_by(*order_by).limit(limit)).all()
    if not rows:
        return []
    items: dict[int, list[ItemView]] = {}
    item_rows: Sequence[tuple[Any, ...]] = session.exec(
        Select(col(ShopOrderItem.order_id), col(ShopOrderItem.product_id),
               col(ShopOrderItem.id), col(ShopOrderItem.name), col(ShopOrderItem.kind),
               col(ShopOrderItem.quantity), col(ShopOrderItem.pay_with),
               col(ShopOrderItem.unit_price), col(ShopOrderItem.unit_points),
               col(ShopOrderItem.delivered))
        .where(col(ShopOrderItem.order_id).in_([r[0] for r in rows]))
        .order_by(col(ShopOrderItem.id))).all()
    own = localized.names(session, Entity.PRODUCT, [r[1] for r in item_rows], lang)
    for order_id, product_id, item_id, name, kind, quantity, pay_with, unit_price, \
            unit_points, delivered in item_rows:
        items.setdefault(order_id, []).append(ItemView(
            item_id, own.get(product_id, name), kind, quantity, pay_with, unit_price,
            unit_points, delivered))
    return [OrderView(
        oid, cid, name or "", status, method, note, subtotal, tax, total, points, currency,
        paid, in_debt, number or "", created_at, items.get(oid, []),
        rules.actions_for(OrderStatus(status), paid=paid, has_money=total > 0),
        q(Decimal(balance)), fulfilment, tracking_url)
        for (oid, cid, name, status, method, note, subtotal, tax, total, points, currency, paid,
             in_debt, number, created_at, balance, fulfilment, tracking_url) in rows]


def open_orders(session: Session, *, actor: Actor | None) -> list[OrderView]:
    """The staff panel: pending and accepted orders, oldest first (newest at the bottom)."""
    require_staff(actor)
    return _read_views(session, col(ShopOrder.status).in_([s.value for s in rules.OPEN]),
                       order_by=(col(ShopOrder.id),), limit=200)


def recent_orders(session: Session, *, actor: Actor | None, limit: int = 20) -> list[OrderView]:
    """The staff panel's "Recently closed": completed, cancelled and voided, newest first."""
    require_staff(actor)
    return _read_views(session, col(ShopOrder.status).not_in([s.value for s in rules.OPEN]),
                       order_by=(col(ShopOrder.updated_at).desc(), col(ShopOrder.id).desc()),
                       limit=limit)


def staff_panel(session: Session, *, actor: Actor | None) -> StaffPanel:
    """What the staff Orders panel shows (nothing for anyone but staff), in one read."""
    if actor is None or not actor.is_staff:
        return StaffPanel(actor, [], [])
    return StaffPanel(actor, open_orders(session, actor=actor),
                      recent_orders(session, actor=actor))


def my_orders(session: Session, *, actor: Actor | None, limit: int = 50, lang: str = ""
              ) -> list[OrderView]:
    customer = require_login(actor)
    return _read_views(session, col(ShopOrder.customer_id) == customer.user_id,
                       order_by=(col(ShopOrder.id).desc(),), limit=limit, lang=lang)


def order_view(session: Session, *, actor: Actor | None, order_id: object) -> OrderView:
    """One order: staff see any, a customer only their own (others are "not found")."""
    who = require_login(actor)
    order = session.get(ShopOrder, record_id(order_id))
    if order is None or (not who.is_staff and order.customer_id != who.user_id):
        raise NotFound()
    return views_of(session, [order])[0]
