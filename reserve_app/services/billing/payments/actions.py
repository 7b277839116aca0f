"""Staff actions on payments that live at Stripe: capture, release (cancel the hold, expire
the Checkout Session, or refund), and the reconciliation of a lost webhook.

Each runs outside any database transaction (they call Stripe's API, with an idempotency key
per payment and action) and changes nothing locally: the status follows from the webhook
Stripe sends for the change, or from `reconcile` if that webhook never arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import ParamSpec, TypeVar

import stripe
from sqlmodel import col, select

from reserve_app.domain.accounts import Actor, require_admin, require_staff
from reserve_app.domain.billing import PaymentStatus
from reserve_app.domain.errors import DomainError
from reserve_app.domain.ids import record_id
from reserve_app.models import AuditEntry, Invoice, Payment
from reserve_app.models.base import utcnow
from reserve_app.services import uow
from reserve_app.services.billing.payments.stripe_provider import NAME, client, payment_tag
from reserve_app.services.platform import audit

log = logging.getLogger("reserve_app.payments")
REFUND_WINDOW = timedelta(days=60)
P = ParamSpec("P")
R = TypeVar("R")


def _stripe_payment(payment_id: object) -> Payment | None:
    with uow.read_session() as session:
        payment = session.get(Payment, record_id(payment_id))
    return payment if payment is not None and payment.provider == NAME else None


def _failures(payment_id: int, action: str) -> int:
    with uow.read_session() as session:
        return len(session.exec(select(AuditEntry.id).where(
            AuditEntry.entity == "payment", AuditEntry.entity_id == payment_id,
            AuditEntry.action == f"stripe_{action}_failed")).all())


def _key(payment: Payment, action: str) -> stripe.RequestOptions:
    """One idempotency key per payment, action and attempt: the library's own retries of a
    lost answer reuse it; after a failure (Stripe keeps answering a key with its first
    answer, errors included, for 24 h) the next click gets a new one."""
    attempt = _failures(payment.id or 0, action)
    return {"idempotency_key": f"reserve-{action}-{payment.id}-{attempt}"}


def _call(payment: Payment, action: str, fn: Callable[P, R], /, *args: P.args,
          **kwargs: P.kwargs) -> R:
    """`fn(*args, **kwargs)` at Stripe; its error is noted on the payment's audit trail (in
    a unit of work of its own) and becomes a DomainError."""
    try:
        return fn(*args, **kwargs)
    except stripe.StripeError as err:
        log.warning("stripe %s of payment %s failed: %s", action, payment.id, err)
        with uow.write_session() as session:
            audit.record(session, actor_id=None, entity="payment", entity_id=payment.id or 0,
                         action=f"stripe_{action}_failed", note=str(err)[:200])
            session.flush()
        raise DomainError("payment.card_declined" if isinstance(err, stripe.CardError)
                          else "payment.provider_unavailable") from err


def capture(*, actor: Actor | None, payment_id: object) -> bool:
    """"Approve payment" for a card held at Stripe: capture it. False if it is not a Stripe
    payment (the caller approves it in the database as before)."""
    require_admin(actor)
    payment = _stripe_payment(payment_id)
    if payment is None:
        return False
    if payment.status != PaymentStatus.AUTHORISED.value or not payment.intent_id:
        raise DomainError("payment.not_authorised")
    with uow.read_session() as session:
        invoice = session.get(Invoice, payment.invoice_id)
    if invoice is None or invoice.status in ("paid", "void"):
        raise DomainError("rental.already_paid")   # paid another way, or given up: no charge
    _call(payment, "capture", client().v1.payment_intents.capture, payment.intent_id,
          options=_key(payment, "capture"))
    return True


def release(*, actor: Actor | None, payment_id: object) -> str:
    """Give a Stripe payment up: an open Checkout Session is expired (or, if the customer has
    just finished it, its hold cancelled), a hold is cancelled, a captured payment is
    refunded. Returns what was asked of Stripe ("" = nothing to do)."""
    require_staff(actor)
    payment = _stripe_payment(payment_id)
    if payment is None:
        return ""
    api = client().v1
    intent = payment.intent_id
    if payment.status == PaymentStatus.PENDING.value and payment.provider_ref:
        found = _call(payment, "read", api.checkout.sessions.retrieve, payment.provider_ref)
        if found.status == "open":
            _call(payment, "expire", api.checkout.sessions.expire, payment.provider_ref,
                  options=_key(payment, "expire"))
            return "expire"
        intent = found.payment_intent if isinstance(found.payment_intent, str) else ""
        if found.status != "complete" or not intent:
            return ""
        held = _call(payment, "read", api.payment_intents.retrieve, intent)
        if held.status == "succeeded":
            _call(payment, "refund", api.refunds.create, {"payment_intent": intent},
                  options=_key(payment, "refund"))
            return "refund"
        _call(payment, "cancel", api.payment_intents.cancel, intent,
              options=_key(payment, "cancel"))
        return "cancel"
    if payment.status == PaymentStatus.AUTHORISED.value and intent:
        _call(payment, "cancel", api.payment_intents.cancel, intent,
              options=_key(payment, "cancel"))
        return "cancel"
    if payment.status == PaymentStatus.APPROVED.value and intent:
        _call(payment, "refund", api.refunds.create, {"payment_intent": intent},
              options=_key(payment, "refund"))
        return "refund"
    return ""


def release_open_for_invoice(*, actor: Actor | None, invoice_id: int) -> list[str]:
    """Before an invoice is voided or paid another way: every Stripe payment on it that is
    under way or holds the card is given up (a captured one stays: refunds are separate)."""
    require_staff(actor)
    with uow.read_session() as session:
        ids = session.exec(select(Payment.id).where(
            Payment.invoice_id == invoice_id, Payment.provider == NAME,
            col(Payment.status).in_([PaymentStatus.PENDING.value,
                                     PaymentStatus.AUTHORISED.value]))).all()
    return [done for pid in ids if (done := release(actor=actor, payment_id=pid))]


def invoice_of(*, order_kind: str, order_id: int) -> int | None:
    with uow.read_session() as session:
        invoice = session.exec(select(Invoice).where(Invoice.order_kind == order_kind,
                                                     Invoice.order_id == order_id)).first()
    return invoice.id if invoice is not None else None


def reconcile() -> dict[str, int]:
    """Re-read from Stripe every Stripe payment still pending or held, and those captured in
    the last REFUND_WINDOW (a refund's webhook may be lost too), and apply what a lost webhook
    would have (through the same forward-only rules). Returns counts per outcome."""
    from reserve_app.services.billing.payments.webhooks import apply

    since = utcnow() - REFUND_WINDOW
    with uow.read_session() as session:
        payments = session.exec(select(Payment).where(
            Payment.provider == NAME,
            col(Payment.status).in_([PaymentStatus.PENDING.value,
                                     PaymentStatus.AUTHORISED.value])
            | ((col(Payment.status) == PaymentStatus.APPROVED.value)
               & (col(Payment.approved_at) >= since)))).all()
    api, counts = client().v1, dict[str, int]()
    for p in payments:
        events = []
        try:
            if p.provider_ref and p.status != PaymentStatus.APPROVED.value:
                cs = api.checkout.sessions.retrieve(p.provider_ref).to_dict()
                if cs.get("status") == "expired":
                    events.append(("checkout.session.expired", cs))
                elif cs.get("status") == "complete":
                    events.append(("checkout.session.completed", cs))
                p_intent = cs.get("payment_intent")
                if isinstance(p_intent, str) and p_intent:
                    p.intent_id = p.intent_id or p_intent
            if p.intent_id and p.status == PaymentStatus.APPROVED.value:
                pi = api.payment_intents.retrieve(
                    p.intent_id, {"expand": ["latest_charge"]}).to_dict()
                charge = pi.get("latest_charge")
                if isinstance(charge, dict) and charge.get("refunded"):
                    events.append(("charge.refunded", charge))
            elif p.intent_id:
                pi = api.payment_intents.retrieve(p.intent_id).to_dict()
                kind = {"requires_capture": "payment_intent.amount_capturable_updated",
                        "succeeded": "payment_intent.succeeded",
                        "canceled": "payment_intent.canceled"}.get(pi.get("status") or "")
                if kind:
                    events.append((kind, pi))
        except stripe.StripeError as err:
            log.warning("reconcile: payment %s not read from Stripe: %s", p.id, err)
            counts["unreadable"] = counts.get("unreadable", 0) + 1
            continue
        for kind, obj in events:
            # Found through the ids we stored for this payment: it is ours.
            obj["metadata"] = {**(obj.get("metadata") or {}), "payment_id": str(p.id),
                               "payment_tag": payment_tag(p.id or 0)}
            outcome = apply({"id": f"reconcile:{p.id}:{kind}:{obj.get('id')}", "type": kind,
                             "data": {"object": obj}})
            counts[outcome.result] = counts.get(outcome.result, 0) + 1
    return counts
