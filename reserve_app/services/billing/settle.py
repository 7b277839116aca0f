"""The card-and-database flows: what staff do with a payment that may live at Stripe.

- `capture_or_approve`: "Approve payment": a card held at Stripe is captured there, any other
  payment is approved in the database;
- `release_then_record`: "Paid in cash": the card payments under way or held on the order's
  invoice are given up at Stripe, then the cash is recorded;
- `cancel_and_release`: an order is cancelled (its unpaid invoice voided), then its card
  payments are given up at Stripe;
- `void_or_refund`: a payment is given up: released or refunded at Stripe, else voided in the
  database.

Each flow runs outside any database transaction, like payments.actions: it reads what it
needs, asks Stripe (with an idempotency key; nothing changes here until Stripe's webhook says
so), then makes the database step in one unit of work of its own, with the caller resolved
inside it. The caller comes as the session cookie's `token`; the database step is the
feature's use case, called `fn(session, actor=<caller>, **ids)`. What the page must say
comes back as `Settled` (state/kit `settle` turns it into toasts).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from reserve_app.domain.accounts import Actor
from reserve_app.domain.billing import InvoiceStatus
from reserve_app.domain.errors import DomainError
from reserve_app.services import uow
from reserve_app.services.accounts import auth
from reserve_app.services.billing import invoices
from reserve_app.services.billing.payments import actions

CAPTURE_REQUESTED = "payment.capture_requested"
RELEASE_REQUESTED = "payment.release_requested"

UseCase = Callable[..., object]


@dataclass(frozen=True)
class Settled:
    """What a flow did, for the page to say: what was asked of Stripe (catalogue keys, in
    order), whether the database step was made, and the refusal of a step that came after
    something was already done (the cash after the release, the release after the cancel).
    A flow refused before anything was done raises its DomainError instead."""

    said: tuple[str, ...] = ()
    recorded: bool = False
    failed: DomainError | None = None


def _caller(token: str | None) -> Actor | None:
    return uow.run_read(auth.resolve_actor, token=token)


def _write(fn: UseCase, token: str | None, /, **ids: object) -> None:
    """The flow's database step: `fn(session, actor=<caller>, **ids)` in one write
    transaction, the caller resolved from `token` inside it."""
    auth.run_as_caller(functools.partial(fn, **ids), token=token)


def _release_invoice(actor: Actor | None, order_kind: str, order_id: int, *,
                     only_void: bool = False) -> tuple[str, ...]:
    """Give up at Stripe the card payments under way or held on the order's invoice (a
    captured one stays: a refund is asked for on its own). DomainError if Stripe could not
    be asked."""
    with uow.read_session() as session:
        invoice = invoices.invoice_for(session, order_kind, order_id)
    if invoice is None or (only_void and invoice.status != InvoiceStatus.VOID):
        return ()
    done = actions.release_open_for_invoice(actor=actor, invoice_id=invoice.id or 0)
    return (RELEASE_REQUESTED,) if done else ()


def capture_or_approve(approve: UseCase, /, *, token: str | None, payment_id: object,
                       **ids: object) -> Settled:
    """"Approve payment": a card held at Stripe is captured there (its webhook then approves
    the payment here); any other payment is approved in the database by
    `approve(session, actor=..., payment_id=..., **ids)`."""
    if actions.capture(actor=_caller(token), payment_id=payment_id):
        return Settled(said=(CAPTURE_REQUESTED,))
    _write(approve, token, payment_id=payment_id, **ids)
    return Settled(recorded=True)


def release_then_record(record: UseCase, /, *, token: str | None, order_kind: str,
                        order_id: int) -> Settled:
    """"Paid in cash": any card payment under way or held on the order's invoice is given up
    at Stripe first, then `record(session, actor=..., order_id=...)` records the cash. If
    Stripe could not be asked, nothing is recorded (a card would stay held beside the
    cash)."""
    said = _release_invoice(_caller(token), order_kind, order_id)
    try:
        _write(record, token, order_id=order_id)
    except DomainError as err:
        if not said:
            raise
        return Settled(said=said, failed=err)
    return Settled(said=said, recorded=True)


def cancel_and_release(cancel: UseCase, /, *, token: str | None, order_kind: str,
                       order_id: int, **ids: object) -> Settled:
    """Cancel an order with `cancel(session, actor=..., **ids)` (its unpaid invoice is
    voided, its manual payments too), then give up at Stripe the card payments under way or
    held on that invoice. A refused cancel asks Stripe nothing, unless the order's invoice is
    void already (cancelled meanwhile, e.g. in another tab): its card payments are given up
    again (asking twice is answered under the same idempotency key)."""
    try:
        _write(cancel, token, **ids)
    except DomainError as err:
        said = _release_invoice(_caller(token), order_kind, order_id, only_void=True)
        if not said:
            raise
        return Settled(said=said, failed=err)
    try:
        said = _release_invoice(_caller(token), order_kind, order_id)
    except DomainError as err:   # cancelled here; the card is still held at Stripe
        return Settled(recorded=True, failed=err)
    return Settled(said=said, recorded=True)


def void_or_refund(void: UseCase, /, *, token: str | None, payment_id: object,
                   **ids: object) -> Settled:
    """Give a payment up: one at Stripe is released there (an open Checkout expired, a hold
    cancelled) or refunded if captured, and Stripe's webhook then voids it here; any other is
    voided in the database by `void(session, actor=..., payment_id=..., **ids)`."""
    if actions.release(actor=_caller(token), payment_id=payment_id):
        return Settled(said=(RELEASE_REQUESTED,))
    _write(void, token, payment_id=payment_id, **ids)
    return Settled(recorded=True)
