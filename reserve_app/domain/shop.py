"""Shop rules: product kinds, the order status table, carts, and the two account ledgers.

A customer's money balance and points balance are never stored as a number that gets
overwritten: each is the sum of ledger entries (positive = to the customer's credit,
negative = spent or owed). A negative money balance is a debt.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .errors import DomainError, InvalidTransition, ValidationFailed
from .money import parse_amount, q, tax_on

MAX_QUANTITY = 99          # per line
MAX_LINES = 50             # per order
MAX_POINTS = 1_000_000     # a product's points price
MAX_NOTE = 500


class ProductKind(StrEnum):
    PRODUCT = "product"
    TIME_PACKAGE = "time_package"   # e.g. "3 hours of play"
    BUNDLE = "bundle"               # several products sold together


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    BALANCE = "balance"             # charged to the customer's account balance


class PayWith(StrEnum):
    """How one order line is paid: money (on the invoice) or points (spent on accept)."""

    MONEY = "money"
    POINTS = "points"


class OrderStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    VOIDED = "voided"


# "Cancel" only before accept, "Void" only after; "Complete" at any time while open.
ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.ACCEPTED, OrderStatus.CANCELLED,
                                    OrderStatus.COMPLETED}),
    OrderStatus.ACCEPTED: frozenset({OrderStatus.COMPLETED, OrderStatus.VOIDED}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.VOIDED: frozenset(),
}

OPEN = frozenset({OrderStatus.PENDING, OrderStatus.ACCEPTED})

# What a staff member is told when the order moved on meanwhile (another screen acted).
CHANGED_MEANWHILE: dict[OrderStatus, str] = {
    OrderStatus.PENDING: "shop.order_now_pending",
    OrderStatus.ACCEPTED: "shop.order_now_accepted",
    OrderStatus.COMPLETED: "shop.order_now_completed",
    OrderStatus.CANCELLED: "shop.order_now_cancelled",
    OrderStatus.VOIDED: "shop.order_now_voided",
}


class OrderAction(StrEnum):
    ACCEPT = "accept"
    CANCEL = "cancel"
    VOID = "void"
    COMPLETE = "complete"


ACTION_TARGET: dict[OrderAction, OrderStatus] = {
    OrderAction.ACCEPT: OrderStatus.ACCEPTED,
    OrderAction.CANCEL: OrderStatus.CANCELLED,
    OrderAction.VOID: OrderStatus.VOIDED,
    OrderAction.COMPLETE: OrderStatus.COMPLETED,
}


def transition(current: OrderStatus, new: OrderStatus) -> OrderStatus:
    if new not in ALLOWED[current]:
        raise InvalidTransition(current, new)
    return new


def actions_for(status: OrderStatus, *, paid: bool, has_money: bool) -> list[str]:
    """The buttons staff see for an order: status actions plus "pay" while money is owed."""
    found = [a.value for a, target in ACTION_TARGET.items() if target in ALLOWED[status]]
    if can_pay(status, paid=paid, has_money=has_money):
        found.append("pay")
    return found


def can_pay(status: OrderStatus, *, paid: bool, has_money: bool) -> bool:
    """Money is recorded against the invoice, which exists from accept on, until paid."""
    return has_money and not paid and status in {OrderStatus.ACCEPTED, OrderStatus.COMPLETED}


class OrderPayment(StrEnum):
    """Where an order stands with its money, as the order cards say it."""

    PAID = "paid"
    DEBT = "debt"                   # completed unpaid: the total is owed on the account
    UNPAID = "unpaid"
    POINTS_ONLY = "points_only"     # nothing to pay in money


def payment_of(*, paid: bool, in_debt: bool, has_money: bool) -> OrderPayment:
    if paid:
        return OrderPayment.PAID
    if in_debt:
        return OrderPayment.DEBT
    return OrderPayment.UNPAID if has_money else OrderPayment.POINTS_ONLY


def parse_action(value: object) -> OrderAction:
    try:
        return OrderAction(value) if isinstance(value, str) else OrderAction("")
    except ValueError:
        raise ValidationFailed({"action": "field.choice_invalid"}) from None


def parse_method(value: object, allowed: Sequence[str]) -> PaymentMethod:
    """A payment method the business accepts from customers (staff may record any)."""
    if isinstance(value, str) and value in allowed:
        try:
            return PaymentMethod(value)
        except ValueError:
            pass
    raise ValidationFailed({"method": "shop.method_invalid"})


def check_settings(*, enabled: bool, methods: Sequence[str]) -> None:
    """An open shop offers at least one payment method (else no customer can send an order)."""
    if enabled and not methods:
        raise ValidationFailed({"methods": "shop.admin.methods_required"})


def parse_quantity(value: object) -> int:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}", value.strip()):
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_QUANTITY:
        raise ValidationFailed({"quantity": "shop.quantity_invalid"})
    return value


def parse_pay_with(value: object) -> PayWith:
    try:
        return PayWith(value) if isinstance(value, str) else PayWith("")
    except ValueError:
        raise ValidationFailed({"pay_with": "field.choice_invalid"}) from None


def clean_note(value: object) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or len(value) > MAX_NOTE:
        raise ValidationFailed({"note": "shop.note_too_long"})
    return value.strip()


@dataclass(frozen=True)
class ProductFacts:
    """What the cart rules need to know about a product."""

    id: int
    orderable: bool
    price: Decimal
    tax_rate: Decimal
    points_price: int | None
    stock: int | None          # None: not tracked


@dataclass(frozen=True)
class Line:
    product_id: int
    quantity: int
    pay_with: PayWith
    unit_price: Decimal        # money price (0 for points lines)
    unit_points: int           # points price (0 for money lines)
    subtotal: Decimal
    tax: Decimal
    points: int


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    points: int


def can_be_bundled(kind: ProductKind) -> bool:
    """What a bundle may contain: products and time packages, never another bundle."""
    return kind is not ProductKind.BUNDLE


def price_line(product: ProductFacts, quantity: int, pay_with: PayWith) -> Line:
    """One cart line, checked: orderable, payable that way, quantity in range."""
    quantity = parse_quantity(quantity)
    if not product.orderable:
        raise DomainError("shop.not_orderable")
    if pay_with is PayWith.POINTS:
        if product.points_price is None:
            raise DomainError("shop.no_points_price")
        return Line(product.id, quantity, pay_with, Decimal("0.00"), product.points_price,
                    Decimal("0.00"), Decimal("0.00"), product.points_price * quantity)
    subtotal = q(product.price * quantity)
    return Line(product.id, quantity, pay_with, product.price, 0, subtotal,
                tax_on(subtotal, product.tax_rate), 0)


def merge_cart(items: Sequence[tuple[int, PayWith, int]]) -> list[tuple[int, PayWith, int]]:
    """Same product paid the same way on one line; quantities added, then re-checked."""
    merged: dict[tuple[int, PayWith], int] = {}
    for product_id, pay_with, quantity in items:
        key = (product_id, pay_with)
        merged[key] = merged.get(key, 0) + quantity
    if len(merged) > MAX_LINES:
        raise DomainError("shop.too_many_lines")
    return [(pid, how, parse_quantity(n)) for (pid, how), n in merged.items()]


def totals(lines: Sequence[Line]) -> Totals:
    subtotal = q(sum((ln.subtotal for ln in lines), Decimal("0")))
    tax = q(sum((ln.tax for ln in lines), Decimal("0")))
    return Totals(subtotal, tax, q(subtotal + tax), sum(ln.points for ln in lines))


def check_order(lines: Sequence[Line], *, method: PaymentMethod | None) -> None:
    """An order has at least one line, and a payment method when money is owed."""
    if not lines:
        raise DomainError("shop.cart_empty")
    if totals(lines).total > 0 and method is None:
        raise ValidationFailed({"method": "shop.method_invalid"})


def check_points(available: int, needed: int) -> None:
    """Accepting a points order spends the points; refused when the customer has too few."""
    if needed > available:
        raise DomainError("shop.not_enough_points", needed=needed, available=available)


# ---- ledgers -------------------------------------------------------------------------------

class LedgerReason(StrEnum):
    POINTS_SPENT = "points_spent"        # order accepted (points lines)
    POINTS_RETURNED = "points_returned"  # order voided
    DEBT = "debt"                        # completed while unpaid
    DEBT_PAID = "debt_paid"              # payment received for an order in debt
    BALANCE_CHARGED = "balance_charged"  # order paid from the account balance
    BALANCE_REFUNDED = "balance_refunded"  # such an order voided
    ADJUSTMENT = "adjustment"            # staff correction, with a note


@dataclass(frozen=True)
class Entry:
    reason: LedgerReason
    amount: Decimal | int


def on_accept(points: int) -> list[Entry]:
    return [Entry(LedgerReason.POINTS_SPENT, -points)] if points else []


def on_void(points_spent: int) -> list[Entry]:
    return [Entry(LedgerReason.POINTS_RETURNED, points_spent)] if points_spent else []


def on_refund(charged_to_balance: Decimal) -> list[Entry]:
    """Voiding an order paid from the balance gives the amount back."""
    return [Entry(LedgerReason.BALANCE_REFUNDED, charged_to_balance)] \
        if charged_to_balance > 0 else []


def on_complete(total: Decimal, *, paid: bool) -> list[Entry]:
    """Completing an unpaid order turns what it costs into debt on the account."""
    return [] if paid or total <= 0 else [Entry(LedgerReason.DEBT, -total)]


def on_pay(total: Decimal, method: PaymentMethod, *, in_debt: bool) -> list[Entry]:
    """Recording a payment: a debt is settled by money received; "balance" charges the account.

    Paying an order already turned into debt "from the balance" would charge it twice, so
    that combination is refused.
    """
    if in_debt and method is PaymentMethod.BALANCE:
        raise DomainError("shop.debt_needs_money")
    if in_debt:
        return [Entry(LedgerReason.DEBT_PAID, total)]
    if method is PaymentMethod.BALANCE:
        return [Entry(LedgerReason.BALANCE_CHARGED, -total)]
    return []


def parse_adjustment(value: object, *, points: bool) -> Decimal | int:
    """A staff correction: a signed, non-zero amount of money or whole points."""
    text = value.strip() if isinstance(value, str) else ""
    sign = -1 if text.startswith("-") else 1
    body = text[1:] if text[:1] in ("+", "-") else text
    if points:
        if re.fullmatch(r"[0-9]{1,7}", body) and int(body) > 0:
            return sign * int(body)
    else:
        amount = parse_amount(body)
        if amount is not None and amount > 0:
            return sign * amount
    raise ValidationFailed({"amount": "shop.adjustment_invalid"})


def check_product(*, name: object, kind: object, price: object, tax_rate: object,
                  points_price: object, stock: object, minutes: object,
                  bundle: Mapping[int, int] | None) -> dict[str, object]:
    """The admin product form, checked; returns clean values or raises ValidationFailed."""
    errors: dict[str, str] = {}
    clean: dict[str, object] = {}
    text = name.strip() if isinstance(name, str) else ""
    if not 0 < len(text) <= 100:
        errors["name"] = "field.required"
    clean["name"] = text
    try:
        clean["kind"] = ProductKind(kind) if isinstance(kind, str) else None
    except ValueError:
        clean["kind"] = None
    if clean["kind"] is None:
        errors["kind"] = "field.choice_invalid"
    amount = parse_amount(price)
    if amount is None:
        errors["price"] = "field.amount_invalid"
    clean["price"] = amount
    rate = parse_amount(tax_rate, maximum=Decimal(100))
    if rate is None:
        errors["tax_rate"] = "field.rate_invalid"
    clean["tax_rate"] = rate
    clean["points_price"] = _optional_whole(points_price, MAX_POINTS, "points_price", errors,
                                            minimum=1)
    clean["stock"] = _optional_whole(stock, 1_000_000, "stock", errors, minimum=0)
    if clean["kind"] is ProductKind.TIME_PACKAGE:
        clean["minutes"] = _optional_whole(minutes, 100_000, "minutes", errors, minimum=1)
        if clean["minutes"] is None and "minutes" not in errors:
            errors["minutes"] = "field.required"
    else:
        clean["minutes"] = None
    if clean["kind"] is ProductKind.BUNDLE and not bundle:
        errors["bundle"] = "shop.bundle_empty"
    if errors:
        raise ValidationFailed(errors)
    return clean


def _optional_whole(value: object, maximum: int, field: str, errors: dict[str, str], *,
                    minimum: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = value.strip() if isinstance(value, str) else ""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    if re.fullmatch(r"[0-9]{1,7}", text) and minimum <= int(text) <= maximum:
        return int(text)
    errors[field] = "field.number_invalid"
    return None
