"""Formatting of read models for display (locale-aware), shared by the rental states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from reserve_app.domain import billing
from reserve_app.i18n import fmt_date, fmt_datetime, fmt_money, translate
from reserve_app.services.platform.audit import AuditView
from reserve_app.services.rentals import BookingView, OrderDetail
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
    """With Stripe, a pending payment is a Checkout not finished yet: "Pay" resumes it
    (domain.billing.resumable with this app's Stripe setting)."""
    return billing.resumable(payment_status, stripe_enabled=get_settings().stripe_enabled)


def booking_row(v: BookingView, lang: str) -> BookingRow:
    payment = v.payment_status or ("none" if not v.invoice_status else v.invoice_status)
    return BookingRow(v.id, v.unit_type, v.unit, day(v.start, lang), day(v.end, lang),
                      v.status, translate(lang, f"booking.status.{v.status}"),
                      fmt_money(v.total, v.currency, lang), v.invoice_status, v.payment_status,
                      translate(lang, f"payment.status.{payment}"), v.can_pay)


# --- the staff booking order page ------------------------------------------------------------

@dataclass
class Line:
    label: str
    value: str


@dataclass
class PaymentLine:
    id: int
    provider: str
    provider_label: str
    amount: str
    status: str
    label: str
    can_approve: bool = False     # "Approve payment" (domain.billing.can_approve)


@dataclass
class Choice:
    value: str
    label: str


@dataclass
class OrderPage:
    """The staff booking order page's rows."""

    booking: BookingRow
    customer: str
    answers: list[Line]
    invoice: list[Line]
    payments: list[PaymentLine]
    payable: bool
    history: list[Line]
    next_statuses: list[Choice]


def order_page(d: OrderDetail, lang: str, tz: str) -> OrderPage:
    inv = d.invoice
    invoice = [] if inv is None else [
        Line(translate(lang, "invoice.number"), inv.number or translate(lang, "invoice.none")),
        Line(translate(lang, "invoice.status"), translate(lang, f"invoice.status.{inv.status}")),
        Line(translate(lang, "price.subtotal"), fmt_money(inv.subtotal, inv.currency, lang)),
        Line(translate(lang, "price.tax"), fmt_money(inv.tax, inv.currency, lang)),
        Line(translate(lang, "price.total"), fmt_money(inv.total, inv.currency, lang)),
    ]
    payments = [PaymentLine(p.id, p.provider, translate(lang, f"payment.provider.{p.provider}"),
                            fmt_money(p.amount, inv.currency, lang), p.status,
                            translate(lang, f"payment.status.{p.status}"),
                            billing.can_approve(p.status, provider=p.provider))
                for p in d.payments] if inv else []
    return OrderPage(
        booking_row(d.booking, lang), f"{d.customer_name} <{d.customer_email}>",
        [Line(label, value) for label, value in d.answers], invoice, payments, d.payable,
        [Line(f"{fmt_datetime(h.at, lang, tz)} · {h.actor_name or '—'}", _history_text(h, lang))
         for h in d.history],
        [Choice(s, translate(lang, f"booking.status.{s}")) for s in d.next_statuses])


def _history_text(h: AuditView, lang: str) -> str:
    change = " → ".join(v for v in (h.old_value, h.new_value) if v)
    text = translate(lang, f"audit.{h.action}") + (f": {change}" if change else "")
    return text + (f" — {h.note}" if h.note else "")
