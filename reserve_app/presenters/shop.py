"""Display rows for the shop (locale-aware): products, the cart, order cards and ledgers."""


from dataclasses import dataclass
from decimal import Decimal

from reserve_app.domain.shop import OrderStatus, PayWith, payment_of
from reserve_app.i18n import fmt_datetime, fmt_money, translate
from reserve_app.presenters.status import colour_of
from reserve_app.services.shop import CartView, EntryView, OrderView, ProductView


@dataclass
class ProductCard:
    """A product on the storefront."""
    id: int
    name: str
    kind_label: str
    details: str
    price: str
    points: str
    sold_out: bool


@dataclass
class CartLine:
    product_id: int
    pay_with: str
    by_points: bool     # paid with points (else money)
    name: str
    quantity: int
    amount: str


@dataclass
class Choice:
    value: str
    label: str


@dataclass
class ProductRow:
    """A product in the admin's table and edit form (raw values for the form's inputs)."""
    id: int
    name: str
    kind: str
    kind_label: str
    price: str
    price_raw: str
    tax_rate: str
    points_price: str
    stock: str
    minutes: str
    orderable: bool
    contents: str


@dataclass
class ItemRow:
    id: int
    label: str          # "2 × Cola"
    price: str          # "5,00 €" or "40 points"
    delivered: bool


@dataclass
class OrderCard:
    id: int
    customer: str
    status: str
    status_label: str
    status_color: str
    method: str
    method_label: str
    note: str
    total: str
    points: str
    created: str
    paid: bool
    in_debt: bool
    payment_label: str
    invoice: str
    balance: str
    balance_negative: bool
    lines: list[ItemRow]
    actions: list[str]
    fulfilment: str
    fulfilment_label: str
    tracking_url: str


@dataclass
class EntryRow:
    at: str
    amount: str
    negative: bool
    reason: str
    order: str


def points_label(points: int, lang: str) -> str:
    return translate(lang, "shop.points_amount", points=points)


def product_card(p: ProductView, lang: str) -> ProductCard:
    details = p.contents or (translate(lang, "shop.minutes", minutes=p.minutes)
                             if p.minutes else "")
    return ProductCard(p.id, p.name, translate(lang, f"shop.kind.{p.kind}"), details,
                       fmt_money(p.gross, p.currency, lang),
                       points_label(p.points_price, lang) if p.points_price else "",
                       p.stock is not None and p.stock <= 0)


def cart_lines(view: CartView, lang: str) -> list[CartLine]:
    lines = []
    for ln in view.lines:
        by_points = ln.pay_with == PayWith.POINTS
        lines.append(CartLine(ln.product_id, ln.pay_with, by_points, ln.name, ln.quantity,
                              points_label(ln.points, lang) if by_points
                              else fmt_money(ln.subtotal, view.currency, lang)))
    return lines


def product_row(p: ProductView, lang: str) -> ProductRow:
    return ProductRow(
        p.id, p.name, p.kind, translate(lang, f"shop.kind.{p.kind}"),
        fmt_money(p.price, p.currency, lang), str(p.price), str(p.tax_rate),
        "" if p.points_price is None else str(p.points_price),
        "" if p.stock is None else str(p.stock), "" if p.minutes is None else str(p.minutes),
        p.orderable, p.contents)


_cards: dict[tuple[object, ...], OrderCard] = {}


def order_card(v: OrderView, lang: str, tz: str) -> OrderCard:
    """The card of an order, reused while nothing it shows has changed (the live panel
    rebuilds every open order's card on each event; formatting money and dates is the
    expensive part). What can change after an order is sent is all in the key."""
    key = (v.id, lang, tz, v.customer, v.status, v.method, v.paid, v.in_debt, v.invoice_number,
           v.customer_balance, tuple(i.delivered for i in v.items), tuple(v.actions),
           v.fulfilment, v.tracking_url)
    card = _cards.get(key)
    if card is None:
        if len(_cards) > 10_000:
            _cards.clear()
        card = _cards[key] = _order_card(v, lang, tz)
    return card


def _order_card(v: OrderView, lang: str, tz: str) -> OrderCard:
    items = [ItemRow(i.id, f"{i.quantity} × {i.name}",
                     points_label(i.unit_points * i.quantity, lang)
                     if i.pay_with == PayWith.POINTS
                     else fmt_money(i.unit_price * i.quantity, v.currency, lang), i.delivered)
             for i in v.items]
    payment = payment_of(paid=v.paid, in_debt=v.in_debt, has_money=v.total > 0)
    return OrderCard(
        v.id, v.customer, v.status, translate(lang, f"shop.status.{v.status}"),
        colour_of(OrderStatus(v.status)),
        v.method, translate(lang, f"shop.method.{v.method}") if v.method else "", v.note,
        fmt_money(v.total, v.currency, lang), points_label(v.points, lang) if v.points else "",
        fmt_datetime(v.created_at, lang, tz), v.paid, v.in_debt,
        translate(lang, f"shop.payment.{payment.value}"), v.invoice_number,
        fmt_money(v.customer_balance, v.currency, lang), v.customer_balance < 0, items,
        v.actions, v.fulfilment, translate(lang, f"ticket.fulfilment.{v.fulfilment}"),
        v.tracking_url)


def entry_row(e: EntryView, lang: str, tz: str, currency: str | None) -> EntryRow:
    """A ledger line; `currency` None for points."""
    amount = (fmt_money(Decimal(e.amount), currency, lang) if currency
              else translate(lang, "shop.points_amount", points=e.amount))
    if currency and not e.amount.startswith("-"):
        amount = "+" + amount
    return EntryRow(fmt_datetime(e.at, lang, tz), amount, e.amount.startswith("-"),
                    e.note or translate(lang, f"shop.ledger.{e.reason}"),
                    f"#{e.order_id}" if e.order_id else "")
