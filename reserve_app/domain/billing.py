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
    PENDING = "pending"          # started; nothing taken yet
    AUTHORISED = "authorised"    # card held (Stripe, manual capture), not captured yet
    APPROVED = "approved"        # the money is taken (captured, or approved by staff)
    VOID = "void"                # cancelled: hold released, or voided by staff
    REFUNDED = "refunded"        # taken, then given back


PAYMENT_ALLOWED: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.PENDING: frozenset({PaymentStatus.AUTHORISED, PaymentStatus.APPROVED,
                                      PaymentStatus.VOID}),
    PaymentStatus.AUTHORISED: frozenset({PaymentStatus.APPROVED, PaymentStatus.VOID}),
    PaymentStatus.APPROVED: frozenset({PaymentStatus.VOID, PaymentStatus.REFUNDED}),
    PaymentStatus.VOID: frozenset(),
    PaymentStatus.REFUNDED: frozenset(),
}

MANUAL_PROVIDER = "manual"     # payments staff record or approve in the database

# Payments that are under way, hold money or took it: while one exists, no second is started.
OPEN_PAYMENTS = frozenset({PaymentStatus.PENDING.value, PaymentStatus.AUTHORISED.value,
                           PaymentStatus.APPROVED.value})


def resumable(payment_status: str, *, stripe_enabled: bool) -> bool:
    """With Stripe, a pending payment is a Checkout not finished yet: "Pay" resumes it."""
    return stripe_enabled and payment_status == PaymentStatus.PENDING


def may_start_payment(last_payment_status: str, *, stripe_enabled: bool) -> bool:
    """The customer may pay online: no payment under way, holding or taking money (""
    for none yet), or one that only resumes an unfinished Stripe Checkout."""
    return (last_payment_status not in OPEN_PAYMENTS
            or resumable(last_payment_status, stripe_enabled=stripe_enabled))


def invoice_open(status: str | None) -> bool:
    """Money can still be recorded against the invoice (None: there is none yet, it is
    drafted when paid); a paid or void invoice takes no more."""
    return status is None or status in {InvoiceStatus.DRAFT, InvoiceStatus.ISSUED}


def can_approve(status: str, *, provider: str) -> bool:
    """"Approve payment" on a payment: staff approve a pending manual payment; a card held
    at the provider (authorised) is captured there."""
    return status == PaymentStatus.AUTHORISED or (
        status == PaymentStatus.PENDING and provider == MANUAL_PROVIDER)

# What each Stripe webhook event means for our payment: the status it reports.
STRIPE_EVENT_TARGET: dict[str, PaymentStatus] = {
    "checkout.session.completed": PaymentStatus.AUTHORISED,
    "payment_intent.amount_capturable_updated": PaymentStatus.AUTHORISED,
    "payment_intent.succeeded": PaymentStatus.APPROVED,
    "payment_intent.canceled": PaymentStatus.VOID,
    "checkout.session.expired": PaymentStatus.VOID,
    "charge.refunded": PaymentStatus.REFUNDED,
}


class Ignored(StrEnum):
    """Why a Stripe event moved nothing (the value is `stripe_events.outcome`)."""

    LATE = "ignored"                        # already there or past it, or the payment is final
    TRANSITION = "ignored_transition"       # a move the payment machine forbids from here


# The payment machine of Stripe webhooks, for every status and every event: the new status,
# or why nothing moves. Only forward; a captured (approved) payment moves only to refunded,
# never to void by an event (its invoice is paid and the money taken: staff refund it), and
# a payment not captured is never refunded.
_L, _T = Ignored.LATE, Ignored.TRANSITION
STRIPE_MOVES: dict[PaymentStatus, dict[str, PaymentStatus | Ignored]] = {
    PaymentStatus.PENDING: {
        "checkout.session.completed": PaymentStatus.AUTHORISED,
        "payment_intent.amount_capturable_updated": PaymentStatus.AUTHORISED,
        "payment_intent.succeeded": PaymentStatus.APPROVED,   # succeeded before completed
        "payment_intent.canceled": PaymentStatus.VOID,
        "checkout.session.expired": PaymentStatus.VOID,
        "charge.refunded": _T,                                # nothing taken yet
    },
    PaymentStatus.AUTHORISED: {
        "checkout.session.completed": _L,                     # already held
        "payment_intent.amount_capturable_updated": _L,
        "payment_intent.succeeded": PaymentStatus.APPROVED,
        "payment_intent.canceled": PaymentStatus.VOID,        # hold released
        "checkout.session.expired": PaymentStatus.VOID,
        "charge.refunded": _T,                                # not captured
    },
    PaymentStatus.APPROVED: {
        "checkout.session.completed": _L,                     # late completion
        "payment_intent.amount_capturable_updated": _L,
        "payment_intent.succeeded": _L,
        "payment_intent.canceled": _T,                        # captured: never void
        "checkout.session.expired": _T,
        "charge.refunded": PaymentStatus.REFUNDED,
    },
    PaymentStatus.VOID: dict.fromkeys(STRIPE_EVENT_TARGET, _L),
    PaymentStatus.REFUNDED: dict.fromkeys(STRIPE_EVENT_TARGET, _L),
}


def stripe_move(current: PaymentStatus, event_type: str) -> PaymentStatus | Ignored:
    """The new status of a payment in `current` on a Stripe event of a handled type
    (STRIPE_EVENT_TARGET), or why it stays."""
    return STRIPE_MOVES[current][event_type]


def unpaid_at_checkout(status: PaymentStatus) -> bool:
    """Back from Stripe Checkout, a payment still pending was not paid on Stripe's page
    (nobody approves a card payment by hand): the customer is told "not paid yet"."""
    return status is PaymentStatus.PENDING


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
