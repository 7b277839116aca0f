"""Display rows for shop orders and ledgers (locale-aware), shared by the shop states."""


from dataclasses import dataclass
from decimal import Decimal

from reserve_app.i18n import fmt_datetime, fmt_money, translate
from reserve_app.services.shop import EntryView, OrderView


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
                     points_label(i.unit_points * i.quantity, lang) if i.pay_with == "points"
                     else fmt_money(i.unit_price * i.quantity, v.currency, lang), i.delivered)
             for i in v.items]
    payment = ("paid" if v.paid else "debt" if v.in_debt
               else "unpaid" if v.total > 0 else "points_only")
    return OrderCard(
        v.id, v.customer, v.status, translate(lang, f"shop.status.{v.status}"),
        v.method, translate(lang, f"shop.method.{v.method}") if v.method else "", v.note,
        fmt_money(v.total, v.currency, lang), points_label(v.points, lang) if v.points else "",
        fmt_datetime(v.created_at, lang, tz), v.paid, v.in_debt,
        translate(lang, f"shop.payment.{payment}"), v.invoice_number,
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
