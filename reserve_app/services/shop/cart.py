"""The customer's cart: pricing it before sending ("quote") and "Send order"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from reserve_app.domain import shop as rules
from reserve_app.domain.accounts import Actor, require_login
from reserve_app.domain.errors import DomainError, NotFound
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.domain.shop import OrderStatus, PayWith
from reserve_app.models import Product, ShopOrder, ShopOrderItem
from reserve_app.services.platform import audit, db
from reserve_app.services.site import localized
from reserve_app.settings import get_settings

from .ledgers import points_of
from .records import ORDER, announce, stock_parts, take_stock
from .settings import load_settings, offered_methods


@dataclass(frozen=True)
class CartLineView:
    product_id: int
    name: str
    pay_with: str
    quantity: int
    subtotal: Decimal
    points: int


@dataclass(frozen=True)
class CartView:
    lines: list[CartLineView]
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    points: int
    currency: str


def quote_cart(session: Session, *, items: object, lang: str = "") -> CartView:
    """The cart as the customer sees it before sending: checked lines and totals, products
    named in `lang` where given."""
    wanted = rules.merge_cart(_parse_items(items)) if items else []
    products = _products(session, [pid for pid, _, _ in wanted])
    lines = [(products[pid], rules.price_line(_facts(products[pid]), n, how))
             for pid, how, n in wanted]
    totals = rules.totals([line for _, line in lines])
    own = localized.names(session, Entity.PRODUCT, list(products), lang)
    return CartView([CartLineView(p.id or 0, own.get(p.id or 0, p.name), ln.pay_with.value,
                                  ln.quantity,
                                  ln.subtotal + ln.tax, ln.points) for p, ln in lines],
                    totals.subtotal, totals.tax, totals.total, totals.points,
                    get_settings().currency)


def place_order(session: Session, *, actor: Actor | None, items: object, method: object,
                note: object = "") -> int:
    """The customer's "Send order". `items` is a list of {product_id, pay_with, quantity}."""
    customer = require_login(actor)
    settings = load_settings(session)
    if not settings.enabled:
        raise DomainError("shop.closed")
    wanted = rules.merge_cart(_parse_items(items))
    clean_note = rules.clean_note(note)
    products = _products(session, [pid for pid, _, _ in wanted])
    lines = [rules.price_line(_facts(products[pid]), n, how) for pid, how, n in wanted]
    totals = rules.totals(lines)
    chosen = None
    if totals.total > 0:
        chosen = rules.parse_method(method, offered_methods(settings))
    rules.check_order(lines, method=chosen)
    if totals.points:
        db.serialize_on(session, f"shop:customer:{customer.user_id}")
        rules.check_points(points_of(session, customer.user_id), totals.points)
    order = ShopOrder(customer_id=customer.user_id, method=chosen.value if chosen else "",
                      note=clean_note, subtotal=totals.subtotal, tax=totals.tax,
                      total=totals.total, points=totals.points,
                      currency=get_settings().currency)
    session.add(order)
    session.flush()
    parts = [stock_parts(session, products[ln.product_id], ln.quantity) for ln in lines]
    needs: dict[int, int] = {}
    for line_parts in parts:
        for pid, units in line_parts.items():
            needs[pid] = needs.get(pid, 0) + units
    taken = take_stock(session, needs, {pid: p.name for pid, p in products.items()})
    for line, line_parts in zip(lines, parts, strict=True):
        product = products[line.product_id]
        kept = ",".join(f"{pid}:{n}" for pid, n in sorted(line_parts.items()) if pid in taken)
        session.add(ShopOrderItem(order_id=order.id or 0, product_id=line.product_id,
                                  name=product.name, kind=product.kind, quantity=line.quantity,
                                  pay_with=line.pay_with.value, unit_price=line.unit_price,
                                  unit_points=line.unit_points, stock_taken=kept))
    audit.record(session, actor_id=customer.user_id, entity=ORDER, entity_id=order.id or 0,
                 action="order_sent", new=OrderStatus.PENDING.value, note=clean_note)
    announce(session, order, "order_new")
    session.flush()
    return order.id or 0


def _products(session: Session, ids: list[int]) -> dict[int, Product]:
    found = {p.id or 0: p for p in session.exec(
        select(Product).where(col(Product.id).in_(ids))).all()}
    if any(pid not in found for pid in ids):
        raise DomainError("shop.unknown_product")
    return found


def _parse_items(items: object) -> list[tuple[int, PayWith, int]]:
    if not isinstance(items, list) or not items:
        raise DomainError("shop.cart_empty")
    if len(items) > rules.MAX_LINES:
        raise DomainError("shop.too_many_lines")
    parsed = []
    for item in items:
        if not isinstance(item, dict):
            raise DomainError("shop.unknown_product")
        try:
            product_id = record_id(item.get("product_id"))
        except NotFound:
            raise DomainError("shop.unknown_product") from None
        parsed.append((product_id, rules.parse_pay_with(item.get("pay_with")),
                       rules.parse_quantity(item.get("quantity"))))
    return parsed


def _facts(product: Product) -> rules.ProductFacts:
    return rules.ProductFacts(product.id or 0, product.orderable, product.price,
                              product.tax_rate, product.points_price, product.stock)
