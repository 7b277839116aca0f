"""What the order use cases share: the audit and invoice names of an order, its lock, its
items, the stock its lines take and give back, and its live events."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from reserve_app.domain import shop as rules
from reserve_app.domain.errors import DomainError
from reserve_app.models import BundleItem, Product, ShopOrder, ShopOrderItem
from reserve_app.services.platform import db, live

ORDER = "shop_order"        # audit entity
ORDER_KIND = "shop"         # invoice order kind


def items_of(session: Session, order_id: int) -> list[ShopOrderItem]:
    return list(session.exec(select(ShopOrderItem).where(col(ShopOrderItem.order_id) == order_id)
                             .order_by(col(ShopOrderItem.id))).all())


def locked(session: Session, order_id: object) -> ShopOrder:
    """The order, read again under its lock (two staff members acting at once: in turn)."""
    return db.locked(session, ShopOrder, order_id, "shop:order")


def announce(session: Session, order: ShopOrder, kind: str) -> None:
    """Live events for the staff panels and the customer's own pages (sent after commit)."""
    live.record(session, topic=live.STAFF_ORDERS, kind=kind, ref_id=order.id or 0)
    live.record(session, topic=live.customer_topic(order.customer_id), kind=kind,
                ref_id=order.id or 0)


# ---- stock ---------------------------------------------------------------------------------

def stock_parts(session: Session, product: Product, quantity: int) -> dict[int, int]:
    """{product id: units} whose stock an order line uses: itself and a bundle's contents."""
    parts = {product.id or 0: quantity}
    if product.kind == rules.ProductKind.BUNDLE:
        for b in session.exec(select(BundleItem).where(col(BundleItem.bundle_id) == product.id)):
            parts[b.product_id] = parts.get(b.product_id, 0) + b.quantity * quantity
    return parts


def take_stock(session: Session, needs: dict[int, int], names: dict[int, str]) -> dict[int, int]:
    """Take tracked stock for a whole order; returns what was taken per product.

    Rows are updated in product-id order, so two orders naming the same products in
    another order cannot deadlock; each is one conditional UPDATE (no read-then-write gap).
    """
    taken: dict[int, int] = {}
    for pid in sorted(needs):
        result = session.exec(update(Product).where(
            col(Product.id) == pid, col(Product.stock).is_not(None),
            col(Product.stock) >= needs[pid]).values(stock=col(Product.stock) - needs[pid]))
        if result.rowcount:
            taken[pid] = needs[pid]
        elif session.exec(select(Product.stock).where(col(Product.id) == pid)).one() is not None:
            raise DomainError("shop.out_of_stock", product=names.get(pid, ""))
    return taken


def return_stock(session: Session, order: ShopOrder) -> None:
    """Give back exactly what the order's lines took."""
    back: dict[int, int] = {}
    for item in items_of(session, order.id or 0):
        for part in filter(None, item.stock_taken.split(",")):
            product, units = part.split(":")
            back[int(product)] = back.get(int(product), 0) + int(units)
    for pid in sorted(back):
        session.exec(update(Product).where(
            col(Product.id) == pid, col(Product.stock).is_not(None))
            .values(stock=col(Product.stock) + back[pid]))
