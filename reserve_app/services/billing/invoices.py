"""Invoices and payments for any order kind; the provider is chosen in `payments`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from reserve_app.domain import billing as rules
from reserve_app.domain.accounts import Actor, require_admin, require_login
from reserve_app.domain.billing import InvoiceStatus, PaymentStatus
from reserve_app.domain.errors import DomainError, NotFound
from reserve_app.domain.ids import record_id
from reserve_app.models import Invoice, InvoiceCounter, Payment
from reserve_app.models.base import utcnow
from reserve_app.services.platform import audit, db
from reserve_app.settings import get_settings


@dataclass(frozen=True)
class InvoiceView:
    id: int
    number: str
    status: str
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    currency: str


@dataclass(frozen=True)
class PaymentView:
    id: int
    provider: str
    method: str
    amount: Decimal
    status: str
    created_at: datetime


def invoice_view(invoice: Invoice) -> InvoiceView:
    return InvoiceView(invoice.id or 0, invoice.number or "", invoice.status, invoice.subtotal,
                       invoice.tax, invoice.total, invoice.currency)


def invoice_for(session: Session, order_kind: str, order_id: int) -> Invoice | None:
    return session.exec(select(Invoice).where(Invoice.order_kind == order_kind,
                                              Invoice.order_id == order_id)).first()


def payments_of(session: Session, invoice_id: int) -> list[PaymentView]:
    rows = session.exec(select(Payment).where(Payment.invoice_id == invoice_id)
                        .order_by(col(Payment.id))).all()
    return [PaymentView(p.id or 0, p.provider, p.method, p.amount, p.status, p.created_at)
            for p in rows]


def draft_invoice(session: Session, *, order_kind: str, order_id: int, customer_id: int,
                  subtotal: Decimal, tax: Decimal, total: Decimal, currency: str) -> Invoice:
    """The order's invoice, created as a draft the first time (no number until issued)."""
    invoice = invoice_for(session, order_kind, order_id)
    if invoice is None:
        invoice = Invoice(order_kind=order_kind, order_id=order_id, customer_id=customer_id,
                          subtotal=subtotal, tax=tax, total=total, currency=currency)
        session.add(invoice)
        session.flush()
    return invoice


def _next_number(session: Session, year: int) -> str:
    db.serialize_on(session, f"invoice-number:{year}")
    counter = session.get(InvoiceCounter, year)
    if counter is None:
        counter = InvoiceCounter(year=year, last=0)
        session.add(counter)
    counter.last += 1
    session.flush()
    return rules.invoice_number(year, counter.last)


def issue(session: Session, invoice: Invoice, *, now: datetime) -> None:
    invoice.status = rules.invoice_transition(InvoiceStatus(invoice.status),
                                              InvoiceStatus.ISSUED).value
    # The numbering year is the business's local year, not UTC's.
    local_year = now.astimezone(ZoneInfo(get_settings().default_timezone)).year
    invoice.number = _next_number(session, local_year)
    invoice.issued_at = now


def approve_payment(session: Session, *, actor: Actor | None, payment_id: object,
                    now: datetime | None = None) -> Invoice:
    """Admin approves a pending payment: the invoice is issued (numbered) and paid."""
    admin = require_admin(actor)
    now = now or utcnow()
    if not isinstance(payment_id, int) or isinstance(payment_id, bool):
        raise NotFound()
    payment = session.get(Payment, payment_id, with_for_update=True)
    if payment is None:
        raise NotFound()
    if payment.provider == "stripe":   # captured at Stripe; its webhook approves it here
        raise DomainError("payment.capture_at_provider")
    invoice = session.get(Invoice, payment.invoice_id, with_for_update=True)
    assert invoice is not None
    payment.status = rules.payment_transition(PaymentStatus(payment.status),
                                              PaymentStatus.APPROVED).value
    payment.approved_at = now
    payment.approved_by = admin.user_id
    if invoice.status == InvoiceStatus.DRAFT:
        issue(session, invoice, now=now)
    invoice.status = rules.invoice_transition(InvoiceStatus(invoice.status),
                                              InvoiceStatus.PAID).value
    invoice.paid_at = now
    audit.record(session, actor_id=admin.user_id, entity="payment", entity_id=payment.id or 0,
                 action="payment_approved", old=PaymentStatus.PENDING.value,
                 new=PaymentStatus.APPROVED.value, note=invoice.number or "")
    return invoice


def my_payment_status(session: Session, *, actor: Actor | None, payment_id: object) -> str:
    """A customer's own payment's status (the page Stripe Checkout returns to)."""
    who = require_login(actor)
    payment = session.get(Payment, record_id(payment_id))
    invoice = session.get(Invoice, payment.invoice_id) if payment else None
    if payment is None or invoice is None or invoice.customer_id != who.user_id:
        raise NotFound()
    return payment.status


@dataclass(frozen=True)
class PaymentReturnView:
    """The page Stripe Checkout returns to: the payment's status, whether it is still unpaid
    (pending: not paid on Stripe's page), and the catalogue key saying so."""

    status: str
    unpaid: bool
    label: str


def payment_return(session: Session, *, actor: Actor | None, payment_id: object
                   ) -> PaymentReturnView:
    """What the customer is shown coming back from Checkout about their own payment."""
    status = PaymentStatus(my_payment_status(session, actor=actor, payment_id=payment_id))
    unpaid = rules.unpaid_at_checkout(status)
    label = "payment.return_pending" if unpaid else f"payment.status.{status.value}"
    return PaymentReturnView(status.value, unpaid, label)
