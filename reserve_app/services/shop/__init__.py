"""Shop use cases: catalogue, sending an order, the staff actions, and the account ledgers.

Every change of an order runs under a lock on that order (`serialize_on`), re-reads it and
checks the status table, so two staff members acting at once get one winner and one
"changed meanwhile" message. Changes write an audit row and live events in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from reserve_app.domain import shop as rules
from reserve_app.domain import versions
from reserve_app.domain.accounts import Actor, require_admin, require_login, require_staff
from reserve_app.domain.billing import InvoiceStatus, PaymentStatus
from reserve_app.domain.billing import invoice_transition as invoice_to
from reserve_app.domain.billing import payment_transition as payment_to
from reserve_app.domain.errors import DomainError, NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.domain.shop import OrderStatus, PaymentMethod, PayWith
from reserve_app.models import (
    BalanceEntry,
    BundleItem,
    Invoice,
    Payment,
    PointsEntry,
    Product,
    ShopOrder,
    ShopOrderItem,
    ShopSettings,
    User,
)
from reserve_app.models.base import utcnow
from reserve_app.services.billing import invoices as billing
from reserve_app.services.platform import audit, db, live
from reserve_app.services.site import localized
from reserve_app.settings import get_settings

ORDER = "shop_order"
ORDER_KIND = "shop"


# ---- read models ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingsView:
    enabled: bool
    methods: list[str]

    @property
    def version(self) -> str:
        """What a form showing these values sends back (see domain.versions)."""
        return versions.version_of(self.enabled, tuple(self.methods))


@dataclass(frozen=True)
class ProductView:
    id: int
    name: str
    kind: str
    price: Decimal
    tax_rate: Decimal
    gross: Decimal          # price with tax, as the customer pays it
    points_price: int | None
    stock: int | None
    minutes: int | None
    orderable: bool
    contents: str           # bundles: "2 × Cola, 1 × Chips"
    currency: str


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
class EntryView:
    at: datetime
    amount: str             # signed; money as "-12.50", points as "-30"
    reason: str
    order_id: int | None
    note: str


@dataclass(frozen=True)
class AccountView:
    customer_id: int
    name: str
    email: str
    balance: Decimal
    points: int
    currency: str
    balance_entries: list[EntryView]
    points_entries: list[EntryView]


@dataclass(frozen=True)
class CustomerLine:
    id: int
    name: str
    email: str
    balance: Decimal
    points: int


# ---- settings and catalogue ----------------------------------------------------------------

def load_settings(session: Session) -> ShopSettings:
    return session.get(ShopSettings, 1) or ShopSettings(id=1)


def settings_view(session: Session) -> SettingsView:
    row = load_settings(session)
    return SettingsView(row.enabled, _methods(row))


def _methods(row: ShopSettings) -> list[str]:
    return [m for m in row.methods.split(",") if m in PaymentMethod.__members__.values()]


def save_settings(session: Session, *, actor: Actor | None, enabled: object,
                  methods: object, version: object = None) -> SettingsView:
    """Save the shop switch and methods. `version` is what the form showed
    (SettingsView.version): a save from a screen filled before another change is refused."""
    admin = require_admin(actor)
    chosen = [m.value for m in PaymentMethod
              if isinstance(methods, list | tuple) and m.value in methods]
    if not isinstance(enabled, bool):
        raise ValidationFailed({"enabled": "field.choice_invalid"})
    rules.check_settings(enabled=enabled, methods=chosen)
    db.serialize_on(session, "shop_settings")  # the first save inserts the row
    versions.check(version, settings_view(session).version)
    row = session.get(ShopSettings, 1)
    if row is None:
        row = ShopSettings(id=1)
        session.add(row)
    old = f"{row.enabled}:{row.methods}"
    row.enabled, row.methods = enabled, ",".join(chosen)
    audit.record(session, actor_id=admin.user_id, entity="shop_settings", entity_id=1,
                 action="settings_changed", old=old, new=f"{row.enabled}:{row.methods}")
    session.flush()
    return settings_view(session)


def catalogue(session: Session, *, all_products: bool = False,
              actor: Actor | None = None, lang: str = "") -> list[ProductView]:
    """Storefront: orderable products while the shop is on, named in `lang` where an admin
    gave a name. Admin (`all_products`): all, with their own names."""
    if all_products:
        require_staff(actor)
    elif not load_settings(session).enabled:
        return []
    query = select(Product).order_by(col(Product.position), col(Product.id))
    if not all_products:
        query = query.where(col(Product.orderable))
    products = session.exec(query).all()
    contents = _bundle_contents(session, [p.id or 0 for p in products
                                          if p.kind == rules.ProductKind.BUNDLE], lang)
    currency = get_settings().currency
    own = localized.names(session, Entity.PRODUCT, [p.id or 0 for p in products], lang)
    return [ProductView(p.id or 0, own.get(p.id or 0, p.name), p.kind, p.price, p.tax_rate,
                        p.price + rules.tax_on(p.price, p.tax_rate), p.points_price, p.stock,
                        p.minutes, p.orderable, contents.get(p.id or 0, ""), currency)
            for p in products]


def _bundle_contents(session: Session, bundle_ids: Sequence[int], lang: str = ""
                     ) -> dict[int, str]:
    if not bundle_ids:
        return {}
    rows = session.exec(select(BundleItem.bundle_id, BundleItem.quantity, Product.name,
                               BundleItem.product_id)
                        .join(Product, col(Product.id) == BundleItem.product_id)
                        .where(col(BundleItem.bundle_id).in_(bundle_ids))
                        .order_by(col(Product.name))).all()
    own = localized.names(session, Entity.PRODUCT, [r[3] for r in rows], lang)
    found: dict[int, list[str]] = {}
    for bundle_id, quantity, name, product_id in rows:
        found.setdefault(bundle_id, []).append(f"{quantity} × {own.get(product_id, name)}")
    return {k: ", ".join(v) for k, v in found.items()}


def save_product(session: Session, *, actor: Actor | None, product_id: object = None,
                 name: object, kind: object, price: object, tax_rate: object = "0",
                 points_price: object = None, stock: object = None, minutes: object = None,
                 orderable: object = True, bundle: Mapping[object, object] | None = None
                 ) -> int:
    """Create (product_id None) or change a product. Bundles name their contents."""
    admin = require_admin(actor)
    contents = _check_bundle(session, bundle or {}, product_id)
    clean = rules.check_product(name=name, kind=kind, price=price, tax_rate=tax_rate,
                                points_price=points_price, stock=stock, minutes=minutes,
                                bundle=contents)
    before: dict[str, object] | None = None
    if product_id is None:
        product = Product(name="", price=Decimal(0))
        session.add(product)
    else:
        found = session.get(Product, record_id(product_id))
        if found is None:
            raise NotFound()
        product = found
        db.serialize_on(session, f"product:{product.id}")  # two admins editing: in turn
        session.refresh(product)
        before = _product_audited(session, product)
    # Orders already sent keep their prices and points (copied on each order line), so an
    # edit applies to new orders only.
    for key, value in clean.items():
        setattr(product, key, value)
    product.orderable = orderable is True
    session.flush()
    session.execute(BundleItem.__table__.delete().where(  # type: ignore[attr-defined]
        BundleItem.__table__.c.bundle_id == product.id))  # type: ignore[attr-defined]
    if product.kind == rules.ProductKind.BUNDLE:
        session.add_all(BundleItem(bundle_id=product.id or 0, product_id=pid, quantity=n)
                        for pid, n in contents.items())
    session.flush()
    if before is None:
        audit.record(session, actor_id=admin.user_id, entity="shop_product",
                     entity_id=product.id or 0, action="product_saved", new=product.name)
    else:
        audit.record_changes(session, actor_id=admin.user_id, entity="shop_product",
                             entity_id=product.id or 0, action="product_changed",
                             before=before, after=_product_audited(session, product))
    session.flush()
    return product.id or 0


def _product_audited(session: Session, p: Product) -> dict[str, object]:
    def maybe(value: object) -> object:
        return "-" if value is None else value

    return {"name": p.name, "kind": str(p.kind), "price": p.price, "tax rate": p.tax_rate,
            "points price": maybe(p.points_price), "stock": maybe(p.stock),
            "minutes": maybe(p.minutes), "orderable": p.orderable,
            "contents": _bundle_contents(session, [p.id or 0]).get(p.id or 0, "-")}


def _check_bundle(session: Session, bundle: Mapping[object, object],
                  product_id: object) -> dict[int, int]:
    contents: dict[int, int] = {}
    for raw_id, raw_qty in bundle.items():
        pid = record_id(raw_id)
        qty = rules.parse_quantity(raw_qty)
        part = session.get(Product, pid)
        if part is None or part.kind == rules.ProductKind.BUNDLE or pid == product_id:
            raise ValidationFailed({"bundle": "shop.bundle_invalid"})
        contents[pid] = qty
    return contents


def bundle_of(session: Session, *, actor: Actor | None, product_id: object) -> dict[int, int]:
    """A product's bundle contents (product id -> quantity), for the admin form."""
    require_admin(actor)
    product = session.get(Product, record_id(product_id))
    if product is None:
        raise NotFound()
    return {b.product_id: b.quantity for b in session.exec(
        select(BundleItem).where(BundleItem.bundle_id == product.id)).all()}


def set_orderable(session: Session, *, actor: Actor | None, product_id: object,
                  orderable: object) -> None:
    admin = require_admin(actor)
    product = session.get(Product, record_id(product_id))
    if product is None:
        raise NotFound()
    if not isinstance(orderable, bool):
        raise ValidationFailed({"orderable": "field.choice_invalid"})
    product.orderable = orderable
    audit.record(session, actor_id=admin.user_id, entity="shop_product",
                 entity_id=product.id or 0, action="orderable_changed", new=orderable)
    session.flush()


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


def _products(session: Session, ids: list[int]) -> dict[int, Product]:
    found = {p.id or 0: p for p in session.exec(
        select(Product).where(col(Product.id).in_(ids))).all()}
    if any(pid not in found for pid in ids):
        raise DomainError("shop.unknown_product")
    return found


# ---- sending an order ----------------------------------------------------------------------

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
        chosen = rules.parse_method(method, _methods(settings))
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
    parts = [_stock_parts(session, products[ln.product_id], ln.quantity) for ln in lines]
    needs: dict[int, int] = {}
    for line_parts in parts:
        for pid, units in line_parts.items():
            needs[pid] = needs.get(pid, 0) + units
    taken = _take_stock(session, needs, {pid: p.name for pid, p in products.items()})
    for line, line_parts in zip(lines, parts, strict=True):
        product = products[line.product_id]
        kept = ",".join(f"{pid}:{n}" for pid, n in sorted(line_parts.items()) if pid in taken)
        session.add(ShopOrderItem(order_id=order.id or 0, product_id=line.product_id,
                                  name=product.name, kind=product.kind, quantity=line.quantity,
                                  pay_with=line.pay_with.value, unit_price=line.unit_price,
                                  unit_points=line.unit_points, stock_taken=kept))
    audit.record(session, actor_id=customer.user_id, entity=ORDER, entity_id=order.id or 0,
                 action="order_sent", new=OrderStatus.PENDING.value, note=clean_note)
    _announce(session, order, "order_new")
    session.flush()
    return order.id or 0


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


def _stock_parts(session: Session, product: Product, quantity: int) -> dict[int, int]:
    """{product id: units} whose stock an order line uses: itself and a bundle's contents."""
    parts = {product.id or 0: quantity}
    if product.kind == rules.ProductKind.BUNDLE:
        for b in session.exec(select(BundleItem).where(BundleItem.bundle_id == product.id)):
            parts[b.product_id] = parts.get(b.product_id, 0) + b.quantity * quantity
    return parts


def _take_stock(session: Session, needs: dict[int, int], names: dict[int, str]) -> dict[int, int]:
    """Take tracked stock for a whole order; returns what was taken per product.

    Rows are updated in product-id order, so two orders naming the same products in
    another order cannot deadlock; each is one conditional UPDATE (no read-then-write gap).
    """
    taken: dict[int, int] = {}
    for pid in sorted(needs):
        result = session.execute(update(Product).where(
            col(Product.id) == pid, col(Product.stock).is_not(None),
            col(Product.stock) >= needs[pid]).values(stock=col(Product.stock) - needs[pid]))
        if result.rowcount:  # type: ignore[attr-defined]
            taken[pid] = needs[pid]
        elif session.exec(select(Product.stock).where(Product.id == pid)).one() is not None:
            raise DomainError("shop.out_of_stock", product=names.get(pid, ""))
    return taken


def _return_stock(session: Session, order: ShopOrder) -> None:
    """Give back exactly what the order's lines took."""
    back: dict[int, int] = {}
    for item in _items(session, order.id or 0):
        for part in filter(None, item.stock_taken.split(",")):
            pid, units = part.split(":")
            back[int(pid)] = back.get(int(pid), 0) + int(units)
    for pid in sorted(back):
        session.execute(update(Product).where(
            col(Product.id) == pid, col(Product.stock).is_not(None))
            .values(stock=col(Product.stock) + back[pid]))


# ---- reading orders ------------------------------------------------------------------------

def _items(session: Session, order_id: int) -> list[ShopOrderItem]:
    return list(session.exec(select(ShopOrderItem).where(ShopOrderItem.order_id == order_id)
                             .order_by(col(ShopOrderItem.id))).all())


def _views(session: Session, orders: Sequence[ShopOrder]) -> list[OrderView]:
    """Views of orders already loaded (after a change): read again as the lists read them."""
    ids = [o.id or 0 for o in orders]
    return _read_views(session, col(ShopOrder.id).in_(ids), order_by=(col(ShopOrder.id),),
                       limit=len(ids)) if ids else []


def _read_views(session: Session, *where: object, order_by: tuple, limit: int,
                lang: str = "") -> list[OrderView]:
    """Order views in two queries of plain columns (the live panel re-reads the open orders
    on every change, so this is on its hot path): the orders with their customer's name,
    invoice number and balance, then their items. With `lang` (the customer's own pages)
    items are named as their product is in that language, where an admin gave a name; else
    as they were when ordered."""
    balance = (select(func.coalesce(func.sum(BalanceEntry.amount), 0))
               .where(BalanceEntry.customer_id == ShopOrder.customer_id)
               .correlate(ShopOrder).scalar_subquery())
    rows = session.exec(
        select(ShopOrder.id, ShopOrder.customer_id, User.name, ShopOrder.status,
               ShopOrder.method, ShopOrder.note, ShopOrder.subtotal, ShopOrder.tax,
               ShopOrder.total, ShopOrder.points, ShopOrder.currency, ShopOrder.paid,
               ShopOrder.in_debt, Invoice.number, ShopOrder.created_at, balance,
               ShopOrder.fulfilment, ShopOrder.tracking_url)
        .join(User, col(User.id) == ShopOrder.customer_id, isouter=True)
        .join(Invoice, (col(Invoice.order_id) == ShopOrder.id)
              & (col(Invoice.order_kind) == ORDER_KIND), isouter=True)
        .where(*where).order_by(*order_by).limit(limit)).all()
    if not rows:
        return []
    items: dict[int, list[ItemView]] = {}
    item_rows = session.exec(
        select(ShopOrderItem.order_id, ShopOrderItem.product_id, ShopOrderItem.id,
               ShopOrderItem.name, ShopOrderItem.kind, ShopOrderItem.quantity,
               ShopOrderItem.pay_with, ShopOrderItem.unit_price, ShopOrderItem.unit_points,
               ShopOrderItem.delivered)
        .where(col(ShopOrderItem.order_id).in_([r[0] for r in rows]))
        .order_by(col(ShopOrderItem.id))).all()
    own = localized.names(session, Entity.PRODUCT, [r[1] for r in item_rows], lang)
    for order_id, product_id, item_id, name, *item in item_rows:
        items.setdefault(order_id, []).append(
            ItemView(item_id, own.get(product_id, name), *item))
    return [OrderView(
        oid, cid, name or "", status, method, note, subtotal, tax, total, points, currency,
        paid, in_debt, number or "", created_at, items.get(oid, []),
        rules.actions_for(OrderStatus(status), paid=paid, has_money=total > 0),
        rules.q(Decimal(balance)), fulfilment, tracking_url)
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


@dataclass(frozen=True)
class StaffPanel:
    """The staff "Orders" panel in one read: who asked, open and recently closed orders."""
    actor: Actor | None
    open: list[OrderView]
    recent: list[OrderView]


def staff_panel(session: Session, *, actor: Actor | None) -> StaffPanel:
    """What the staff Orders panel shows (nothing for anyone but staff), in one read."""
    if actor is None or not actor.is_staff:
        return StaffPanel(actor, [], [])
    return StaffPanel(actor, open_orders(session, actor=actor),
                      recent_orders(session, actor=actor))


def my_orders(session: Session, *, actor: Actor | None, limit: int = 50, lang: str = ""
              ) -> list[OrderView]:
    customer = require_login(actor)
    return _read_views(session, ShopOrder.customer_id == customer.user_id,
                       order_by=(col(ShopOrder.id).desc(),), limit=limit, lang=lang)


def order_view(session: Session, *, actor: Actor | None, order_id: object) -> OrderView:
    """One order: staff see any, a customer only their own (others are "not found")."""
    who = require_login(actor)
    order = session.get(ShopOrder, record_id(order_id))
    if order is None or (not who.is_staff and order.customer_id != who.user_id):
        raise NotFound()
    return _views(session, [order])[0]


# ---- staff actions -------------------------------------------------------------------------

def _locked(session: Session, order_id: object) -> ShopOrder:
    order = session.get(ShopOrder, record_id(order_id))
    if order is None:
        raise NotFound()
    db.serialize_on(session, f"shop:order:{order.id}")
    session.refresh(order)
    return order


def _move(order: ShopOrder, new: OrderStatus) -> OrderStatus:
    """The status table, with a message that says what happened meanwhile."""
    current = OrderStatus(order.status)
    if new not in rules.ALLOWED[current]:
        raise DomainError(rules.CHANGED_MEANWHILE[current])
    order.status = rules.transition(current, new).value
    return current


def act(session: Session, *, actor: Actor | None, order_id: object, action: object,
        now: datetime | None = None) -> OrderView:
    """Accept, Cancel, Void or Complete an order."""
    staff = require_staff(actor)
    step = rules.parse_action(action)
    now = now or utcnow()
    order = _locked(session, order_id)
    target = rules.ACTION_TARGET[step]
    old = OrderStatus(order.status)
    if target is OrderStatus.ACCEPTED or (target is OrderStatus.COMPLETED
                                          and old is OrderStatus.PENDING):
        _accept(session, order, staff, now)  # completing a pending order accepts it first
    if target is OrderStatus.COMPLETED:
        _complete(session, order, staff)
    elif target is OrderStatus.CANCELLED:
        _move(order, OrderStatus.CANCELLED)
        _return_stock(session, order)
    elif target is OrderStatus.VOIDED:
        _move(order, OrderStatus.VOIDED)
        _void(session, order, staff)
    order.updated_at = now
    audit.record(session, actor_id=staff.user_id, entity=ORDER, entity_id=order.id or 0,
                 action=f"order_{step.value}", old=old.value, new=order.status)
    _announce(session, order, "order_changed")
    session.flush()
    return _views(session, [order])[0]


def _accept(session: Session, order: ShopOrder, staff: Actor, now: datetime) -> None:
    _move(order, OrderStatus.ACCEPTED)
    if order.points:
        db.serialize_on(session, f"shop:customer:{order.customer_id}")
        rules.check_points(points_of(session, order.customer_id), order.points)
        _points(session, order, rules.on_accept(order.points), staff)
        order.points_spent = order.points
    if order.total > 0:
        invoice = billing.draft_invoice(session, order_kind=ORDER_KIND, order_id=order.id or 0,
                                        customer_id=order.customer_id, subtotal=order.subtotal,
                                        tax=order.tax, total=order.total,
                                        currency=order.currency)
        billing.issue(session, invoice, now=now)


def _complete(session: Session, order: ShopOrder, staff: Actor) -> None:
    _move(order, OrderStatus.COMPLETED)
    for item in _items(session, order.id or 0):
        item.delivered = True
    entries = rules.on_complete(order.total, paid=order.paid)
    if entries:
        order.in_debt = True
        _money(session, order, entries, staff)


def _void(session: Session, order: ShopOrder, staff: Actor) -> None:
    invoice = billing.invoice_for(session, ORDER_KIND, order.id or 0)
    refund = Decimal("0")
    if invoice is not None:
        for payment in session.exec(select(Payment).where(Payment.invoice_id == invoice.id)):
            if payment.status != PaymentStatus.VOID:
                if payment.method == PaymentMethod.BALANCE and \
                        payment.status == PaymentStatus.APPROVED:
                    refund += payment.amount
                payment.status = payment_to(PaymentStatus(payment.status),
                                            PaymentStatus.VOID).value
        invoice.status = invoice_to(InvoiceStatus(invoice.status), InvoiceStatus.VOID).value
    _points(session, order, rules.on_void(order.points_spent), staff)
    _money(session, order, rules.on_refund(refund), staff)
    order.points_spent = 0
    _return_stock(session, order)


def pay(session: Session, *, actor: Actor | None, order_id: object, method: object,
        now: datetime | None = None) -> OrderView:
    """Record the payment of an accepted or completed order; the method may change here."""
    staff = require_staff(actor)
    chosen = rules.parse_method(method, [m.value for m in PaymentMethod])
    now = now or utcnow()
    order = _locked(session, order_id)
    status = OrderStatus(order.status)
    if not rules.can_pay(status, paid=order.paid, has_money=order.total > 0):
        raise DomainError("shop.order_paid" if order.paid else rules.CHANGED_MEANWHILE[status])
    invoice = billing.invoice_for(session, ORDER_KIND, order.id or 0)
    assert invoice is not None  # an accepted order with money to pay has an issued invoice
    _money(session, order, rules.on_pay(order.total, chosen, in_debt=order.in_debt), staff)
    session.add(Payment(invoice_id=invoice.id or 0, provider="manual", method=chosen.value,
                        amount=invoice.total, status=PaymentStatus.APPROVED.value,
                        approved_at=now, approved_by=staff.user_id))
    invoice.status = invoice_to(InvoiceStatus(invoice.status), InvoiceStatus.PAID).value
    invoice.paid_at = now
    old_method = order.method
    order.method, order.paid, order.in_debt, order.updated_at = chosen.value, True, False, now
    audit.record(session, actor_id=staff.user_id, entity=ORDER, entity_id=order.id or 0,
                 action="order_paid", old=old_method, new=chosen.value,
                 note=invoice.number or "")
    _announce(session, order, "order_changed")
    session.flush()
    return _views(session, [order])[0]


def mark_delivered(session: Session, *, actor: Actor | None, order_id: object, item_id: object,
                   delivered: object) -> OrderView:
    staff = require_staff(actor)
    if not isinstance(delivered, bool):
        raise ValidationFailed({"delivered": "field.choice_invalid"})
    order = _locked(session, order_id)
    item = session.get(ShopOrderItem, record_id(item_id))
    if item is None or item.order_id != order.id:
        raise NotFound()
    if OrderStatus(order.status) not in rules.OPEN:
        raise DomainError(rules.CHANGED_MEANWHILE[OrderStatus(order.status)])
    item.delivered = delivered
    order.updated_at = utcnow()
    audit.record(session, actor_id=staff.user_id, entity=ORDER, entity_id=order.id or 0,
                 action="item_delivered" if delivered else "item_undelivered", new=item.name)
    _announce(session, order, "order_changed")
    session.flush()
    return _views(session, [order])[0]


def _announce(session: Session, order: ShopOrder, kind: str) -> None:
    live.record(session, topic=live.STAFF_ORDERS, kind=kind, ref_id=order.id or 0)
    live.record(session, topic=live.customer_topic(order.customer_id), kind=kind,
                ref_id=order.id or 0)


# ---- ledgers -------------------------------------------------------------------------------

def _money(session: Session, order: ShopOrder, entries: list[rules.Entry], staff: Actor) -> None:
    session.add_all(BalanceEntry(customer_id=order.customer_id, amount=Decimal(e.amount),
                                 reason=e.reason.value, order_id=order.id,
                                 actor_id=staff.user_id) for e in entries)


def _points(session: Session, order: ShopOrder, entries: list[rules.Entry],
            staff: Actor) -> None:
    session.add_all(PointsEntry(customer_id=order.customer_id, points=int(e.amount),
                                reason=e.reason.value, order_id=order.id,
                                actor_id=staff.user_id) for e in entries)


def points_of(session: Session, customer_id: int) -> int:
    return int(session.exec(select(func.coalesce(func.sum(PointsEntry.points), 0))
                            .where(PointsEntry.customer_id == customer_id)).one())


def balance_of(session: Session, customer_id: int) -> Decimal:
    return _balances(session, {customer_id}).get(customer_id, Decimal("0.00"))


def _balances(session: Session, customer_ids: set[int]) -> dict[int, Decimal]:
    rows = session.exec(select(BalanceEntry.customer_id, func.sum(BalanceEntry.amount))
                        .where(col(BalanceEntry.customer_id).in_(customer_ids))
                        .group_by(col(BalanceEntry.customer_id))).all()
    return {cid: rules.q(Decimal(total)) for cid, total in rows}


def account(session: Session, *, actor: Actor | None, customer_id: object = None
            ) -> AccountView:
    """Balance and points with their ledgers: the caller's own, or any customer's for staff."""
    who = require_login(actor)
    cid = who.user_id if customer_id is None else record_id(customer_id)
    if cid != who.user_id:
        require_staff(who)
    user = session.get(User, cid)
    if user is None or (cid != who.user_id and user.role != "customer"):
        raise NotFound()
    money = session.exec(select(BalanceEntry).where(BalanceEntry.customer_id == cid)
                         .order_by(col(BalanceEntry.id).desc()).limit(100)).all()
    points = session.exec(select(PointsEntry).where(PointsEntry.customer_id == cid)
                          .order_by(col(PointsEntry.id).desc()).limit(100)).all()
    return AccountView(
        cid, user.name, user.email, balance_of(session, cid), points_of(session, cid),
        get_settings().currency,
        [EntryView(e.at, f"{e.amount:+.2f}", e.reason, e.order_id, e.note) for e in money],
        [EntryView(e.at, f"{e.points:+d}", e.reason, e.order_id, e.note) for e in points])


def customers(session: Session, *, actor: Actor | None, search: object = "",
              limit: int = 50) -> list[CustomerLine]:
    require_staff(actor)
    text = search.strip()[:100] if isinstance(search, str) else ""
    query = select(User).where(User.role == "customer").order_by(col(User.name)).limit(limit)
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        query = query.where(func.lower(User.name).like(pattern, escape="\\")
                            | func.lower(User.email).like(pattern, escape="\\"))
    users = session.exec(query).all()
    ids = {u.id or 0 for u in users}
    balances = _balances(session, ids)
    points = dict(session.exec(select(PointsEntry.customer_id, func.sum(PointsEntry.points))
                               .where(col(PointsEntry.customer_id).in_(ids))
                               .group_by(col(PointsEntry.customer_id))).all())
    return [CustomerLine(u.id or 0, u.name, u.email, balances.get(u.id or 0, Decimal("0.00")),
                         int(points.get(u.id or 0, 0))) for u in users]


def adjust(session: Session, *, actor: Actor | None, customer_id: object, ledger: object,
           amount: object, note: object) -> AccountView:
    """An admin's correction of a customer's balance or points, always with a reason."""
    admin = require_admin(actor)
    if ledger not in ("money", "points"):
        raise ValidationFailed({"ledger": "field.choice_invalid"})
    value = rules.parse_adjustment(amount, points=ledger == "points")
    reason = rules.clean_note(note)
    if not reason:
        raise ValidationFailed({"note": "field.required"})
    user = session.get(User, record_id(customer_id))
    if user is None or user.role != "customer":
        raise NotFound()
    if ledger == "points":
        db.serialize_on(session, f"shop:customer:{user.id}")
        if points_of(session, user.id or 0) + int(value) < 0:
            raise DomainError("shop.points_below_zero")
        session.add(PointsEntry(customer_id=user.id or 0, points=int(value),
                                reason=rules.LedgerReason.ADJUSTMENT.value, note=reason,
                                actor_id=admin.user_id))
    else:
        session.add(BalanceEntry(customer_id=user.id or 0, amount=Decimal(value),
                                 reason=rules.LedgerReason.ADJUSTMENT.value, note=reason,
                                 actor_id=admin.user_id))
    audit.record(session, actor_id=admin.user_id, entity="customer_account",
                 entity_id=user.id or 0, action=f"{ledger}_adjusted", new=value, note=reason)
    live.record(session, topic=live.customer_topic(user.id or 0), kind="account")
    session.flush()
    return account(session, actor=admin, customer_id=user.id)


def set_order_sound(session: Session, *, actor: Actor | None, on: object) -> bool:
    staff = require_staff(actor)
    if not isinstance(on, bool):
        raise ValidationFailed({"sound": "field.choice_invalid"})
    user = session.get(User, staff.user_id)
    if user is None:
        raise NotFound()
    user.order_sound = on
    session.flush()
    return on


def order_sound(session: Session, *, actor: Actor | None) -> bool:
    staff = require_staff(actor)
    user = session.get(User, staff.user_id)
    return bool(user and user.order_sound)
