"""Promotions, reservations and vouchers: codes, the reservation status table and what staff
may do with one, the required action, filters, form texts, CSV cells.

Pure: no database, no clock of its own.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from .billing import InvoiceStatus, PaymentStatus
from .errors import DomainError, InvalidTransition, ValidationFailed

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"   # no 0/O, 1/I/L, U
CODE_GROUPS = 3
CODE_GROUP_LEN = 4                                   # 12 symbols: ~59 bits
MAX_TITLE = 120
MAX_TEXT = 4000
MAX_ACTION = 200
PAGE_SIZE = 20


class ReservationStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


# Customer service cancels an active voucher (while its required action is not done, see
# check_customer_service_cancel); a cancelled one stays cancelled.
ALLOWED: dict[ReservationStatus, frozenset[ReservationStatus]] = {
    ReservationStatus.ACTIVE: frozenset({ReservationStatus.CANCELLED}),
    ReservationStatus.CANCELLED: frozenset(),
}


class ReservationAction(StrEnum):
    CANCEL = "cancel"
    APPROVE_PAYMENT = "approve_payment"


ACTION_TARGET: dict[ReservationAction, ReservationStatus] = {
    ReservationAction.CANCEL: ReservationStatus.CANCELLED,
}

# The latest payment of a reservation waits for staff: approved here (manual provider) or
# captured at Stripe (a card held).
WAITING_PAYMENTS = frozenset({PaymentStatus.PENDING, PaymentStatus.AUTHORISED})


def transition(current: ReservationStatus, new: ReservationStatus) -> ReservationStatus:
    if new not in ALLOWED[current]:
        raise InvalidTransition(current, new)
    return new


def payment_waits(payment_status: str) -> bool:
    """Whether a payment in this status waits for staff to approve (or capture) it."""
    return payment_status in WAITING_PAYMENTS


def actions_for(status: ReservationStatus, *, payment_status: str) -> list[str]:
    """The buttons staff see on a reservation: the status moves the table allows ("cancel"
    while active: customer service is refused after the required action is done, with the
    reason), and "approve_payment" while its latest payment waits (whatever the status: a
    card held at Stripe is still captured or released there)."""
    found = [a.value for a, target in ACTION_TARGET.items() if target in ALLOWED[status]]
    if payment_waits(payment_status):
        found.append(ReservationAction.APPROVE_PAYMENT.value)
    return found


def payment_shown(invoice_status: str, payment_status: str) -> str:
    """What a voucher says about its payment (a key under "voucher.payment."): its invoice's
    status ("none" without an invoice), or "awaiting" while a payment is started and the
    invoice is not paid."""
    if invoice_status != InvoiceStatus.PAID and payment_status == PaymentStatus.PENDING:
        return "awaiting"
    return invoice_status or "none"


class ActionFilter(StrEnum):
    DONE = "done"
    NOT_DONE = "not_done"


def new_code() -> str:
    """A voucher code that cannot be guessed: 12 random symbols, shown as XXXX-XXXX-XXXX."""
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
    return "-".join(symbols[i:i + CODE_GROUP_LEN]
                    for i in range(0, len(symbols), CODE_GROUP_LEN))


_CODE = re.compile(rf"[{CODE_ALPHABET}]{{4}}(-[{CODE_ALPHABET}]{{4}}){{2}}", re.ASCII)


def parse_code(value: object) -> str | None:
    """A code as typed or linked (lower case, spaces or no dashes forgiven), or None if it
    cannot be one."""
    if not isinstance(value, str) or len(value) > 40 or not value.isascii():
        return None
    symbols = "".join(value.split()).upper().replace("-", "")
    if len(symbols) != CODE_GROUPS * CODE_GROUP_LEN:
        return None
    text = "-".join(symbols[i:i + CODE_GROUP_LEN]
                    for i in range(0, len(symbols), CODE_GROUP_LEN))
    return text if _CODE.fullmatch(text) else None


@dataclass(frozen=True)
class ReservationFilter:
    """Staff "Reservations": each part narrows the list; None means "any"."""

    promotion_id: int | None = None
    variant_id: int | None = None
    action: ActionFilter | None = None

    @property
    def is_empty(self) -> bool:
        return self.promotion_id is None and self.variant_id is None and self.action is None


def _id_or_none(value: object, field: str) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str | None):
        raise ValidationFailed({field: "field.choice_invalid"})
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**62:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12:
        return int(value)
    raise ValidationFailed({field: "field.choice_invalid"})


def _action_filter(value: object) -> ActionFilter:
    if isinstance(value, str):
        try:
            return ActionFilter(value)
        except ValueError:
            pass
    raise ValidationFailed({"action": "field.choice_invalid"})


def parse_filter(promotion: object = None, variant: object = None,
                 action: object = None) -> ReservationFilter:
    chosen = None if action in (None, "") else _action_filter(action)
    return ReservationFilter(_id_or_none(promotion, "promotion"),
                             _id_or_none(variant, "variant"), chosen)


@dataclass(frozen=True)
class ReservationFacts:
    """What the filter looks at, for checking one reservation against it."""

    promotion_id: int
    variant_id: int
    action_done: bool


def matches(f: ReservationFilter, r: ReservationFacts) -> bool:
    """The filter's meaning (the service's SQL says the same): every given part must hold."""
    return ((f.promotion_id is None or r.promotion_id == f.promotion_id)
            and (f.variant_id is None or r.variant_id == f.variant_id)
            and (f.action is None or (f.action is ActionFilter.DONE) == r.action_done))


def check_customer_service_cancel(status: ReservationStatus, action_done: bool
                                  ) -> ReservationStatus:
    """Customer service may cancel a voucher only while its required action is not done;
    after that the customer must contact the business. Returns the new status."""
    if ReservationStatus.CANCELLED not in ALLOWED[status]:
        raise DomainError("voucher.already_cancelled")
    if action_done:
        raise DomainError("voucher.cancel_contact_business")
    return transition(status, ReservationStatus.CANCELLED)


def check_action_change(status: ReservationStatus) -> None:
    """The required action is marked done (or undone) on an active voucher only."""
    if status is ReservationStatus.CANCELLED:
        raise DomainError("voucher.already_cancelled")


def clean_text(value: object, field: str, limit: int, errors: dict[str, str], *,
               required: bool = False) -> str:
    """A form text, stripped; a message for `field` is added to `errors` when it is missing
    (if required) or longer than `limit`."""
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        errors[field] = "field.required"
    elif len(text) > limit:
        errors[field] = "field.too_long"
    return text


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // size))


# ---- CSV -----------------------------------------------------------------------------------

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe, so it is never run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The file line by line (standard csv quoting, \\r\\n line ends), starting with a UTF-8
    byte order mark so spreadsheet programs read non-Latin names correctly. Rows are taken
    one at a time: nothing is held beyond the current line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Iterable[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(c) for c in cells])
        return buffer.getvalue()

    yield BOM + line(header)
    for row in rows:
        yield line(row)
