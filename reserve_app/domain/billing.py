"""Invoices and payments: statuses and gap-free numbering."""

from __future__ import annotations

from enum import StrEnum

from .errors import InvalidTransition


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"
    PAID = "paid"
    VOID = "void"


INVOICE_ALLOWED: dict[InvoiceStatus, frozenset[InvoiceStatus]] = {
    InvoiceStatus.DRAFT: frozenset({InvoiceStatus.ISSUED, InvoiceStatus.VOID}),
    InvoiceStatus.ISSUED: frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID}),
    InvoiceStatus.PAID: frozenset({InvoiceStatus.VOID}),
    InvoiceStatus.VOID: frozenset(),
}


class PaymentStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    VOID = "void"


PAYMENT_ALLOWED: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.PENDING: frozenset({PaymentStatus.APPROVED, PaymentStatus.VOID}),
    PaymentStatus.APPROVED: frozenset({PaymentStatus.VOID}),
    PaymentStatus.VOID: frozenset(),
}


def invoice_transition(current: InvoiceStatus, new: InvoiceStatus) -> InvoiceStatus:
    if new not in INVOICE_ALLOWED[current]:
        raise InvalidTransition(current, new)
    return new


def payment_transition(current: PaymentStatus, new: PaymentStatus) -> PaymentStatus:
    if new not in PAYMENT_ALLOWED[current]:
        raise InvalidTransition(current, new)
    return new


def invoice_number(year: int, sequence: int) -> str:
    """Numbers run without gaps per year: 2026-000001, 2026-000002, ..."""
    return f"{year}-{sequence:06d}"
