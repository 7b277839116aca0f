"""Payment providers behind one interface. Without Stripe keys: the manual provider."""

from __future__ import annotations

from typing import Protocol

from sqlmodel import Session, col, select

from reserve_app.domain.accounts import Actor
from reserve_app.domain.billing import PaymentStatus
from reserve_app.models import Invoice, Payment


class Provider(Protocol):
    name: str

    def start(self, session: Session, invoice: Invoice) -> Payment:
        """Record a pending payment of the invoice's total, in the caller's transaction."""
        ...

    def checkout(self, payment_id: int) -> str:
        """After that transaction: where the customer pays ("" = nowhere: staff approve)."""
        ...


def provider() -> Provider:
    """Stripe when its keys are set (settings check they come in pairs), else manual."""
    from reserve_app.settings import get_settings

    if get_settings().stripe_enabled:
        from reserve_app.services.billing.payments.stripe_provider import StripeProvider

        return StripeProvider()
    from reserve_app.services.billing.payments.manual import ManualProvider

    return ManualProvider()


def start_or_resume(session: Session, invoice: Invoice) -> Payment | None:
    """"Pay invoice": a new payment of the invoice, or None when a pending Stripe payment is
    resumed (its Checkout page is reused). Refused when the invoice is paid or void, or a
    payment holds, took or awaits approval of the money."""
    from reserve_app.domain.billing import OPEN_PAYMENTS
    from reserve_app.domain.errors import DomainError

    under_way = [p for p in session.exec(select(Payment).where(
        Payment.invoice_id == invoice.id)).all() if p.status in OPEN_PAYMENTS]
    if invoice.status in ("paid", "void") or any(
            not (p.status == PaymentStatus.PENDING.value and p.provider == "stripe")
            for p in under_way):
        raise DomainError("rental.already_paid")
    return None if under_way else provider().start(session, invoice)


def checkout_url(*, actor: Actor | None, order_kind: str, order_id: int) -> str:
    """Where the caller pays the invoice of their order just started ("" with the manual
    provider). Runs outside any transaction: the provider may call its API."""
    from reserve_app.services import uow

    if actor is None:
        return ""
    with uow.read_session() as session:
        payment = session.exec(
            select(Payment).join(Invoice, col(Invoice.id) == Payment.invoice_id).where(
                Invoice.order_kind == order_kind, Invoice.order_id == order_id,
                Invoice.customer_id == actor.user_id,
                Payment.status == PaymentStatus.PENDING.value)
            .order_by(col(Payment.id).desc())).first()
    return provider().checkout(payment.id or 0) if payment is not None else ""
