"""What staff pages do first when a payment lives at Stripe: capture it instead of approving
it in the database, release it before an invoice is voided or paid another way. The
payment's status then follows Stripe's webhook."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import translate
from reserve_app.services.billing.payments import actions
from reserve_app.state import kit


async def _run(state: rx.State, fn: Callable[..., Any], **kwargs: Any
               ) -> tuple[Any, rx.event.EventSpec | None]:
    actor = await kit.current_actor(state)
    try:
        return await anyio.to_thread.run_sync(lambda: fn(actor=actor, **kwargs)), None
    except DomainError as err:
        return None, await kit.error_toast(state, err)


async def capture(state: rx.State, payment_id: object) -> rx.event.EventSpec | None:
    """A toast if this was a Stripe payment (capture asked, or refused); None: approve it in
    the database as before."""
    done, failed = await _run(state, actions.capture, payment_id=payment_id)
    if failed is not None:
        return failed
    if not done:
        return None
    return rx.toast.info(translate(await kit.language_of(state), "payment.capture_requested"))


async def release_invoice(state: rx.State, order_kind: str, order_id: int
                          ) -> tuple[bool, rx.event.EventSpec | None]:
    """Give up the Stripe payments under way or held on an order's invoice. (False, error
    toast) if Stripe could not be asked: the caller must then not go on (a card would stay
    held beside a cash payment); else (True, a toast saying what was asked, or None)."""
    invoice_id = await anyio.to_thread.run_sync(
        lambda: actions.invoice_of(order_kind=order_kind, order_id=order_id))
    if invoice_id is None:
        return True, None
    done, failed = await _run(state, actions.release_open_for_invoice, invoice_id=invoice_id)
    if failed is not None:
        return False, failed
    if not done:
        return True, None
    return True, rx.toast.info(translate(await kit.language_of(state),
                                         "payment.release_requested"))


async def release(state: rx.State, payment_id: object) -> tuple[bool, rx.event.EventSpec | None]:
    done, failed = await _run(state, actions.release, payment_id=payment_id)
    if failed is not None:
        return True, failed
    if not done:
        return False, None
    return True, rx.toast.info(translate(await kit.language_of(state),
                                         "payment.release_requested"))
