"""Stripe webhooks: verified on the raw body, each event applied once, never backwards.

The event id goes into `stripe_events` in the same transaction as its effect, so a
redelivery, or the same event arriving twice at once, changes nothing. Which payment an
event concerns is read from our own metadata (`payment_id`), else from the Checkout Session
or PaymentIntent id we stored. The status only moves along the payment table
(`domain.billing.advance`): a "checkout.session.completed" arriving after
"payment_intent.succeeded" leaves the payment approved.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from reserve_app.domain import billing as rules
from reserve_app.domain.billing import InvoiceStatus, PaymentStatus
from reserve_app.models import Invoice, Payment, StripeEvent
from reserve_app.models.base import utcnow
from reserve_app.services import uow
from reserve_app.services.billing import invoices as billing
from reserve_app.services.billing.payments.stripe_provider import NAME, cents, payment_tag
from reserve_app.services.platform import audit, db
from reserve_app.settings import get_settings

TOLERANCE_SECONDS = 300


class BadSignature(Exception):
    """Not a genuine, fresh Stripe event: answered 400, nothing read from it."""


@dataclass(frozen=True)
class Outcome:
    event_id: str
    result: str      # applied, ignored, duplicate, unknown_payment, amount_mismatch, other


def verify(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event, if `signature` is Stripe's for exactly this body, made recently with our
    webhook secret; else BadSignature."""
    if not signature:
        raise BadSignature("no signature")
    try:
        event = stripe.Webhook.construct_event(payload, signature,
                                               get_settings().stripe_webhook_secret,
                                               tolerance=TOLERANCE_SECONDS)
    except (stripe.SignatureVerificationError, ValueError) as err:
        raise BadSignature(str(err)) from err
    found: dict[str, Any] = event.to_dict()
    return found


def handle(payload: bytes, signature: str | None, *, now: datetime | None = None) -> Outcome:
    return apply(verify(payload, signature), now=now)


def _payment_for(session: Session, obj: dict[str, Any]) -> Payment | None:
    """Our Stripe payment this object is about, or None. A session or PaymentIntent must
    carry our payment id with its tag (only we can make it), and match the ids we stored;
    a charge is found by its PaymentIntent."""
    kind, ref = obj.get("object"), obj.get("id")
    if kind == "charge":
        intent = obj.get("payment_intent")
        if not isinstance(intent, str) or not intent:
            return None
        return session.exec(select(Payment).where(
            Payment.provider == NAME, Payment.intent_id == intent)
            .order_by(col(Payment.id))).first()
    metadata = obj.get("metadata")
    meta: dict[str, Any] = metadata if isinstance(metadata, dict) else {}
    raw, tag = meta.get("payment_id"), meta.get("payment_tag")
    if not (isinstance(raw, str) and raw.isdigit() and len(raw) < 12 and isinstance(tag, str)
            and hmac.compare_digest(tag, payment_tag(int(raw)))):
        return None
    payment = session.get(Payment, int(raw))
    if payment is None or payment.provider != NAME:
        return None
    if kind == "checkout.session" and payment.provider_ref != ref:
        return None   # not the session we made for it (or one we never learnt of)
    if kind == "payment_intent" and payment.intent_id and payment.intent_id != ref:
        return None
    return payment


def _amount_of(event_type: str, obj: dict[str, Any]) -> int | None:
    if event_type.startswith("checkout.session"):
        return obj.get("amount_total")
    if event_type == "payment_intent.succeeded":
        return obj.get("amount_received") or obj.get("amount")
    if event_type.startswith("payment_intent"):
        return obj.get("amount")
    return obj.get("amount_captured") or obj.get("amount")


def apply(event: dict[str, Any], *, now: datetime | None = None) -> Outcome:
    now = now or utcnow()
    event_id, kind = str(event.get("id") or ""), str(event.get("type") or "")
    obj = (event.get("data") or {}).get("object") or {}
    if not event_id:
        return Outcome("", "other")
    with uow.write_session() as session:
        if session.get(StripeEvent, event_id) is not None:
            return Outcome(event_id, "duplicate")
        record = StripeEvent(id=event_id, type=kind[:100], received_at=now)
        session.add(record)
        try:
            session.flush()   # a concurrent delivery of the same event stops here
        except IntegrityError:
            session.rollback()
            return Outcome(event_id, "duplicate")
        record.outcome = _effect(session, kind, obj, now)
        payment = _payment_for(session, obj) if record.outcome != "other" else None
        record.payment_id = payment.id if payment else None
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return Outcome(event_id, "duplicate")
        return Outcome(event_id, record.outcome)


def _effect(session: Session, kind: str, obj: dict[str, Any], now: datetime) -> str:
    target = rules.STRIPE_EVENT_TARGET.get(kind)
    if target is None:
        return "other"
    payment = _payment_for(session, obj)
    if payment is None:
        return "unknown_payment"
    if kind == "charge.refunded" and obj.get("refunded") is False:
        return "partial_refund"   # only a full refund ends the payment; staff see the rest
    db.serialize_on(session, f"payment:{payment.id}")
    session.refresh(payment)
    invoice = session.get(Invoice, payment.invoice_id)
    amount = _amount_of(kind, obj)
    if invoice is None or (amount is not None and amount != cents(invoice.total)):
        return "amount_mismatch"
    intent = obj.get("payment_intent") if obj.get("object") != "payment_intent" else obj.get("id")
    if isinstance(intent, str) and intent and not payment.intent_id:
        payment.intent_id = intent
    new = rules.advance(PaymentStatus(payment.status), target)
    if new is None:
        return "ignored"
    old, payment.status = payment.status, new.value
    if new is PaymentStatus.AUTHORISED:
        payment.held_at = payment.held_at or now
    elif new is PaymentStatus.APPROVED:
        payment.approved_at = now
        if invoice.status == InvoiceStatus.DRAFT:
            billing.issue(session, invoice, now=now)
        if invoice.status == InvoiceStatus.ISSUED:
            invoice.status = InvoiceStatus.PAID.value
            invoice.paid_at = now
    audit.record(session, actor_id=None, entity="payment", entity_id=payment.id or 0,
                 action="stripe_event", old=old, new=new.value, note=kind)
    return "applied"
