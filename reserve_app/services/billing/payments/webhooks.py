"""Stripe webhooks: verified on the raw body, each event applied once, never backwards.

The event id goes into `stripe_events` in the same transaction as its effect, so a
redelivery, or the same event arriving twice at once, changes nothing. Which payment an
event concerns is read from our own metadata (`payment_id`), else from the Checkout Session
or PaymentIntent id we stored. The status only moves along the payment machine
of Stripe events (`domain.billing.STRIPE_MOVES`): a "checkout.session.completed" arriving
after "payment_intent.succeeded" leaves the payment approved, and a captured payment moves
only to refunded. An event is applied only for the invoice's exact amount and currency.
"""

from __future__ import annotations

import hmac
import json
import time
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
KEPT = "kept"   # about a PaymentIntent no payment has yet: applied once one learns it
# What a kept event may meet when applied, and still wait (a refund before the capture).
_STILL_WAITING = frozenset({"unknown_payment", KEPT, rules.Ignored.TRANSITION.value})


class BadSignature(Exception):
    """Not a genuine, fresh Stripe event: answered 400, nothing read from it."""


class BadEvent(BadSignature):
    """Signed by Stripe's scheme with our secret, but not shaped like an event (not a JSON
    object, or its `data` or `data.object` is not one): answered 400 too."""


@dataclass(frozen=True)
class Outcome:
    event_id: str
    # applied, ignored (late or final), ignored_transition (a move the payment machine
    # forbids), duplicate, unknown_payment, kept (see KEPT), partial_refund, other, and
    # amount_mismatch (the amount or the currency is missing or not the invoice's)
    result: str


def _signed_at(signature: str) -> int:
    """The `t=` of a header the library has accepted (read the way the library reads it)."""
    items = [item.split("=", 2) for item in signature.split(",")]
    return int([item[1] for item in items if item[0] == "t"][0])


def verify(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event, if `signature` is Stripe's for exactly this body, made with our webhook
    secret no more than TOLERANCE_SECONDS ago and not later than that ahead; else
    BadSignature (BadEvent if the signed body is not an event)."""
    if not signature:
        raise BadSignature("no signature")
    try:
        stripe.WebhookSignature.verify_header(payload, signature,
                                              get_settings().stripe_webhook_secret,
                                              tolerance=TOLERANCE_SECONDS)
    except (stripe.SignatureVerificationError, ValueError) as err:
        raise BadSignature(str(err)) from err
    if _signed_at(signature) > time.time() + TOLERANCE_SECONDS:
        raise BadSignature("timestamp in the future")
    try:
        event = json.loads(payload)
    except ValueError as err:
        raise BadEvent(str(err)) from err
    data = (event.get("data") or {}) if isinstance(event, dict) else None
    if not (isinstance(data, dict) and isinstance(data.get("object") or {}, dict)):
        raise BadEvent("not an event object")
    found: dict[str, Any] = event
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
    obj = (event.get("data") or {}).get("object") or {}   # dicts (verify, reconcile)
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
        if record.outcome == KEPT:
            record.intent_id, record.kept = str(obj["payment_intent"])[:255], json.dumps(obj)
        elif record.outcome == "applied" and payment is not None:
            _apply_kept(session, payment, now)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return Outcome(event_id, "duplicate")
        return Outcome(event_id, record.outcome)


def _effect(session: Session, kind: str, obj: dict[str, Any], now: datetime) -> str:
    if kind not in rules.STRIPE_EVENT_TARGET:
        return "other"
    payment = _payment_for(session, obj)
    if payment is None:
        intent = obj.get("payment_intent") if obj.get("object") == "charge" else None
        return KEPT if isinstance(intent, str) and intent else "unknown_payment"
    if kind == "charge.refunded" and obj.get("refunded") is False:
        return "partial_refund"   # only a full refund ends the payment; staff see the rest
    db.serialize_on(session, f"payment:{payment.id}")
    session.refresh(payment)
    invoice = session.get(Invoice, payment.invoice_id)
    currency = obj.get("currency")
    if (invoice is None or _amount_of(kind, obj) != cents(invoice.total)
            or not isinstance(currency, str) or currency.lower() != invoice.currency.lower()):
        return "amount_mismatch"   # no amount or currency, or not the invoice's: not applied
    intent = obj.get("payment_intent") if obj.get("object") != "payment_intent" else obj.get("id")
    if isinstance(intent, str) and intent and not payment.intent_id:
        payment.intent_id = intent
    new = rules.stripe_move(PaymentStatus(payment.status), kind)
    if isinstance(new, rules.Ignored):
        return new.value
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


def _apply_kept(session: Session, payment: Payment, now: datetime) -> None:
    """After a move of `payment`: the events kept for its PaymentIntent, oldest first, applied
    now that it is known; one its status does not allow yet (a refund of a card only held)
    stays kept for the next move. Until nothing more moves."""
    if not payment.intent_id:
        return
    moved = True
    while moved:
        moved = False
        waiting = session.exec(select(StripeEvent).where(
            StripeEvent.intent_id == payment.intent_id, StripeEvent.outcome == KEPT)
            .order_by(col(StripeEvent.received_at), col(StripeEvent.id))).all()
        for event in waiting:
            loaded = json.loads(event.kept or "{}")
            obj: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
            result = _effect(session, event.type, obj, now)
            if result in _STILL_WAITING:
                continue
            event.outcome, event.kept, event.payment_id = result, None, payment.id
            moved = moved or result == "applied"
