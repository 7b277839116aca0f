"""Stripe Checkout with manual capture, through the stripe library's `StripeClient`.

`start` only records a pending payment, inside the caller's transaction. The network call
(`checkout`) runs after that transaction has committed: a Checkout Session whose PaymentIntent
uses `capture_method=manual`, created with an idempotency key derived from the invoice and
the payment (the attempt), so a retried call never makes a second session. Whether the card
was authorised, captured, released or refunded is learnt only from verified webhooks
(`webhooks.py`); the success page marks nothing paid.
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

import stripe
from sqlmodel import Session
from stripe.params.checkout import SessionCreateParams

from reserve_app.domain.billing import PaymentStatus
from reserve_app.domain.errors import DomainError, NotFound
from reserve_app.models import Invoice, Payment
from reserve_app.services import uow
from reserve_app.settings import get_settings

NAME = "stripe"


def client() -> stripe.StripeClient:
    settings = get_settings()
    api = settings.stripe_api_base    # the local fake in tests, else Stripe's own
    return stripe.StripeClient(settings.stripe_secret_key, max_network_retries=2,
                               base_addresses={"api": api} if api else None)


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def idempotency_key(invoice_id: int, payment_id: int) -> str:
    return f"reserve-invoice-{invoice_id}-attempt-{payment_id}"


def payment_tag(payment_id: int) -> str:
    """Sent in the metadata with our payment id: Stripe sends every event of the account to
    every endpoint, so another installation's payment 7 must not be taken for ours."""
    secret = get_settings().stripe_webhook_secret.encode()
    return hmac.new(secret, f"payment:{payment_id}".encode(), hashlib.sha256).hexdigest()[:24]


class StripeProvider:
    name = NAME

    def start(self, session: Session, invoice: Invoice) -> Payment:
        payment = Payment(invoice_id=invoice.id or 0, provider=self.name, method="card",
                          amount=invoice.total, status=PaymentStatus.PENDING.value)
        session.add(payment)
        session.flush()
        return payment

    def checkout(self, payment_id: int) -> str:
        """The Checkout page's address for a pending payment (made once; asked again, the
        same one). Called with no transaction open."""
        with uow.read_session() as session:
            payment = session.get(Payment, payment_id)
            invoice = session.get(Invoice, payment.invoice_id) if payment else None
        if payment is None or invoice is None or payment.provider != self.name:
            raise NotFound()
        if payment.status != PaymentStatus.PENDING.value:
            raise DomainError("payment.not_pending")
        if payment.checkout_url:
            return payment.checkout_url
        base = get_settings().app_url
        back = f"{base}/payment/return?payment={payment.id}"
        params: SessionCreateParams = {
            "mode": "payment",
            "client_reference_id": str(payment.id),
            "line_items": [{"quantity": 1, "price_data": {
                "currency": invoice.currency.lower(), "unit_amount": cents(invoice.total),
                "product_data": {"name": f"{get_settings().business_name} · "
                                         f"{invoice.order_kind} {invoice.order_id}"}}}],
            "payment_intent_data": {"capture_method": "manual", "metadata": {
                "payment_id": str(payment.id), "payment_tag": payment_tag(payment.id or 0)}},
            "metadata": {"payment_id": str(payment.id), "invoice_id": str(invoice.id),
                         "payment_tag": payment_tag(payment.id or 0)},
            "success_url": back,
            "cancel_url": f"{back}&cancelled=1",
        }
        try:
            created = client().v1.checkout.sessions.create(
                params, {"idempotency_key": idempotency_key(invoice.id or 0, payment.id or 0)})
        except stripe.StripeError as err:
            # No session exists at Stripe (the library retried a lost answer with the same
            # key): this attempt is over, the next "Pay" starts a new one with a new key.
            _give_up(payment_id, err)
            raise DomainError("payment.card_declined" if isinstance(err, stripe.CardError)
                              else "payment.provider_unavailable") from err
        with uow.write_session() as session:
            row = session.get(Payment, payment_id)
            assert row is not None
            row.provider_ref, row.checkout_url = created.id, created.url or ""
            session.flush()
        return created.url or ""


def _give_up(payment_id: int, err: Exception) -> None:
    from reserve_app.services.platform import audit

    with uow.write_session() as session:
        row = session.get(Payment, payment_id)
        if row is not None and row.status == PaymentStatus.PENDING.value and not row.provider_ref:
            row.status = PaymentStatus.VOID.value
            audit.record(session, actor_id=None, entity="payment", entity_id=payment_id,
                         action="checkout_failed", old=PaymentStatus.PENDING.value,
                         new=row.status, note=str(err)[:200])
            session.flush()
