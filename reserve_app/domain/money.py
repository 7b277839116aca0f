"""Money: Decimal only, two places, half-up rounding."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000")


def q(amount: Decimal) -> Decimal:
    """Round to cents, half up (0.005 -> 0.01)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value: object, *, maximum: Decimal = MAX_AMOUNT) -> Decimal | None:
    """A non-negative amount with at most two decimals from text or a number; else None."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        return None
    text = str(value).strip().replace(",", ".")
    if not re.fullmatch(r"\d{1,9}(\.\d{1,2})?", text):  # no sign, exponent or separators
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > maximum or amount != q(amount):
        return None
    return amount


def tax_on(net: Decimal, rate_percent: Decimal) -> Decimal:
    return q(net * rate_percent / Decimal(100))
