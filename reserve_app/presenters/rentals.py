"""Formatting of read models for display (locale-aware), shared by the rental states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from reserve_app.domain.billing import OPEN_PAYMENTS
from reserve_app.i18n import fmt_date, fmt_money, translate
from reserve_app.services.rentals import BookingView
from reserve_app.settings import get_settings


def day(value: date, lang: str) -> str:
    return fmt_date(datetime.combine(value, time(12), tzinfo=UTC), lang, "UTC")


@dataclass
class BookingRow:
    id: int
    unit_type: str
    unit: str
    start: str
    end: str
    status: str
    status_label: str
    total: str
    invoice_status: str
    payment_status: str
    payment_label: str
    payable: bool


def resumable(payment_status: str) -> bool:
    """With Stripe, a pending payment is a Checkout not finished yet: "Pay" resumes it."""
    return payment_status == "pending" and get_settings().stripe_enabled


def booking_row(v: BookingView, lang: str, payments_enabled: bool) -> BookingRow:
    payable = (payments_enabled and v.status in ("pending", "confirmed")
               and (v.payment_status not in OPEN_PAYMENTS or resumable(v.payment_status))
               and v.invoice_status != "paid")
    payment = v.payment_status or ("none" if not v.invoice_status else v.invoice_status)
    return BookingRow(v.id, v.unit_type, v.unit, day(v.start, lang), day(v.end, lang),
                      v.status, translate(lang, f"booking.status.{v.status}"),
                      fmt_money(v.total, v.currency, lang), v.invoice_status, v.payment_status,
                      translate(lang, f"payment.status.{payment}"), payable)
