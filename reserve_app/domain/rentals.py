"""Rental rules: booking statuses, prices, unit choice and extra-field answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .billing import InvoiceStatus, may_start_payment
from .errors import InvalidTransition, ValidationFailed
from .money import parse_amount, q, tax_on
from .periods import Period, parse_day


class BookingStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    FINISHED = "finished"


# Active bookings hold their unit; no two active bookings of a unit may overlap.
ACTIVE = frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED})

ALLOWED: dict[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.PENDING: frozenset({BookingStatus.CONFIRMED, BookingStatus.CANCELLED,
                                      BookingStatus.FINISHED}),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.PENDING, BookingStatus.CANCELLED,
                                        BookingStatus.FINISHED}),
    BookingStatus.CANCELLED: frozenset({BookingStatus.PENDING, BookingStatus.CONFIRMED}),
    BookingStatus.FINISHED: frozenset({BookingStatus.CONFIRMED}),
}


def transition(current: BookingStatus, new: BookingStatus) -> BookingStatus:
    if new not in ALLOWED[current]:
        raise InvalidTransition(current, new)
    return new


def actions_for(status: BookingStatus) -> list[BookingStatus]:
    """The statuses staff may move a booking order to from `status` (its transition table),
    in a stable order: the choices of the staff page's "Change status"."""
    return sorted(ALLOWED[status])


def can_pay(status: BookingStatus, *, payments_enabled: bool, invoice_status: str,
            payment_status: str, stripe_enabled: bool) -> bool:
    """The customer may press "Pay" on a booking: customer payments are on, the booking holds
    its unit (pending or confirmed), its invoice ("" for none yet) is not paid, and no payment
    ("" for none yet) is under way (with Stripe, an unfinished Checkout is resumed)."""
    return (payments_enabled and status in ACTIVE
            and may_start_payment(payment_status, stripe_enabled=stripe_enabled)
            and invoice_status != InvoiceStatus.PAID)


def reactivates(current: BookingStatus, new: BookingStatus) -> bool:
    """A change that makes the booking hold its unit again (must re-check availability)."""
    return current not in ACTIVE and new in ACTIVE


def parse_status(value: object) -> BookingStatus:
    try:
        return BookingStatus(value) if isinstance(value, str) else BookingStatus("")
    except ValueError:
        raise ValidationFailed({"status": "field.choice_invalid"}) from None


@dataclass(frozen=True)
class Quote:
    days: int
    price_per_day: Decimal
    tax_rate: Decimal
    subtotal: Decimal
    tax: Decimal
    total: Decimal


def quote(price_per_day: Decimal, tax_rate: Decimal, period: Period) -> Quote:
    subtotal = q(price_per_day * period.days)
    tax = tax_on(subtotal, tax_rate)
    return Quote(period.days, price_per_day, tax_rate, subtotal, tax, subtotal + tax)


def free_unit(unit_ids: Sequence[int], busy: Mapping[int, Iterable[Period]],
              period: Period) -> int | None:
    """The first unit (in the given order) with no active booking overlapping `period`."""
    for unit_id in unit_ids:
        if not any(period.overlaps(p) for p in busy.get(unit_id, ())):
            return unit_id
    return None


# --- catalogue and settings ------------------------------------------------------------

class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"


@dataclass(frozen=True)
class ExtraFieldRule:
    id: int
    label: str
    kind: FieldKind
    required: bool
    choices: tuple[str, ...] = ()


TEXT_MAX = 500


def check_flag(value: object, field: str) -> bool:
    """A switch of an admin form: a real boolean, else field.choice_invalid on `field`."""
    if not isinstance(value, bool):
        raise ValidationFailed({field: "field.choice_invalid"})
    return value


def short_text(value: object, field: str, errors: dict[str, str], limit: int = 100) -> str:
    """A required one-line text, stripped; records field.required / field.too_long."""
    clean = value.strip() if isinstance(value, str) else ""
    if not clean:
        errors[field] = "field.required"
    elif len(clean) > limit:
        errors[field] = "field.too_long"
    return clean


def check_answers(fields: Sequence[ExtraFieldRule], answers: object) -> dict[str, str]:
    """Validate the answers to the storefront's extra fields. Keys are field ids as text."""
    given = answers if isinstance(answers, dict) else {}
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for f in fields:
        key = str(f.id)
        raw = given.get(key, "")
        value = raw.strip() if isinstance(raw, str) else None
        if value is None:
            errors[f"x{key}"] = "field.required" if f.required else "field.choice_invalid"
            continue
        if not value:
            if f.required:
                errors[f"x{key}"] = "field.required"
            continue
        if len(value) > TEXT_MAX:
            errors[f"x{key}"] = "field.too_long"
        elif f.kind is FieldKind.NUMBER and not _is_number(value):
            errors[f"x{key}"] = "field.number_invalid"
        elif f.kind is FieldKind.DATE and parse_day(value) is None:
            errors[f"x{key}"] = "field.date_invalid"
        elif f.kind is FieldKind.CHOICE and value not in f.choices:
            errors[f"x{key}"] = "field.choice_invalid"
        else:
            clean[key] = value
    if not isinstance(answers, dict) and not errors:
        errors["answers"] = "field.choice_invalid"  # not a form at all
    if errors:
        raise ValidationFailed(errors)
    return clean


def _is_number(value: str) -> bool:
    try:
        return Decimal(value.replace(",", ".")).is_finite()
    except ArithmeticError:
        return False


@dataclass(frozen=True)
class UnitTypeData:
    name: str
    description: str
    photo_url: str
    price_per_day: Decimal
    tax_rate: Decimal


def check_unit_type(*, name: object, description: object, photo_url: object,
                    price_per_day: object, tax_rate: object) -> UnitTypeData:
    errors: dict[str, str] = {}
    clean_name = short_text(name, "name", errors)
    desc = description.strip() if isinstance(description, str) else ""
    if len(desc) > 2000:
        errors["description"] = "field.too_long"
    photo = photo_url.strip() if isinstance(photo_url, str) else ""
    if photo and (len(photo) > 500 or not photo.startswith(("https://", "http://", "/"))):
        errors["photo_url"] = "field.url_invalid"
    price = parse_amount(price_per_day)
    if price is None or price == 0:
        errors["price_per_day"] = "field.amount_invalid"
    rate = parse_amount(tax_rate, maximum=Decimal(100))
    if rate is None:
        errors["tax_rate"] = "field.rate_invalid"
    if errors:
        raise ValidationFailed(errors)
    assert price is not None and rate is not None
    return UnitTypeData(clean_name, desc, photo, price, rate)


def check_field_definition(*, label: object, kind: object, choices: object
                           ) -> tuple[str, FieldKind, tuple[str, ...]]:
    errors: dict[str, str] = {}
    clean_label = short_text(label, "label", errors)
    try:
        clean_kind = FieldKind(kind) if isinstance(kind, str) else None
    except ValueError:
        clean_kind = None
    if clean_kind is None:
        errors["kind"] = "field.choice_invalid"
    options: tuple[str, ...] = ()
    if isinstance(choices, str):
        options = tuple(dict.fromkeys(c.strip() for c in choices.split(",") if c.strip()))
    if clean_kind is FieldKind.CHOICE and not options:
        errors["choices"] = "field.required"
    if errors:
        raise ValidationFailed(errors)
    assert clean_kind is not None
    return clean_label, clean_kind, options if clean_kind is FieldKind.CHOICE else ()
