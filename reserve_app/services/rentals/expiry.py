"""Unpaid bookings: how many a customer holds (the hoarding limit), and the expiry of a
pending booking nobody paid (`BOOKING_HOLD_HOURS`).

Expiring one booking is race-safe against a payment arriving at the same moment: it takes
the locks the payment paths take, in their order (the booking's invoice lock of
`pay_booking` / `record_cash_payment`, each payment's lock of the webhook, then the payment
and invoice rows `approve_payment` locks), re-reads everything under them, and only then
cancels the booking and voids its unfinished invoice and payments. Whichever commits second
finds the other's result: a paid booking is not expired; an expired booking's payment is
void, so approving or capturing it is refused.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from reserve_app.domain import holds
from reserve_app.domain.billing import (
    InvoiceStatus,
    PaymentStatus,
    invoice_transition,
    payment_transition,
)
from reserve_app.domain.rentals import BookingStatus
from reserve_app.models import BookingOrder, Invoice, Payment, User
from reserve_app.models.base import utcnow
from reserve_app.services.platform import audit, db, outbox
from reserve_app.services.rentals.booking import ORDER
from reserve_app.settings import get_settings


def due(session: Session, *, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Ids of pending bookings older than BOOKING_HOLD_HOURS (candidates; each is checked
    again under its locks by `expire_booking`)."""
    cutoff = holds.cutoff(now or utcnow(), get_settings().booking_hold_hours)
    if cutoff is None:
        return []
    return [i for i in session.exec(select(BookingOrder.id).where(
        col(BookingOrder.status) == BookingStatus.PENDING.value,
        col(BookingOrder.created_at) <= cutoff).order_by(col(BookingOrder.id)).limit(limit))
        if i is not None]


def expire_booking(session: Session, *, order_id: int, now: datetime | None = None) -> bool:
    """Cancel the pending booking if it is still unpaid and past its hold; True if it was."""
    now = now or utcnow()
    order = session.get(BookingOrder, order_id)
    if order is None:
        return False
    db.serialize_on(session, f"rental:type:{order.unit_type_id}")   # as staff status changes
    db.serialize_on(session, f"invoice:{ORDER}:{order.id}")         # as paying the booking
    session.refresh(order)
    invoice_id = session.exec(select(Invoice.id).where(
        col(Invoice.order_kind) == ORDER, col(Invoice.order_id) == order.id)).first()
    payment_ids = sorted(i for i in session.exec(select(Payment.id).where(
        col(Payment.invoice_id) == invoice_id)) if i is not None) if invoice_id else []
    for pid in payment_ids:
        db.serialize_on(session, f"payment:{pid}")                  # as the webhook
    found = [session.get(Payment, pid, with_for_update=True, populate_existing=True)
             for pid in payment_ids]
    pays = [p for p in found if p is not None]
    invoice = session.get(Invoice, invoice_id, with_for_update=True,
                          populate_existing=True) if invoice_id else None
    if (BookingStatus(order.status) is not BookingStatus.PENDING
            or not holds.expired(order.created_at, now, get_settings().booking_hold_hours)
            or not holds.unpaid([p.status for p in pays],
                                invoice.status if invoice else None)):
        return False
    order.status = BookingStatus.CANCELLED.value
    for payment in pays:
        status = PaymentStatus(payment.status)
        if status is PaymentStatus.PENDING:
            payment.status = payment_transition(status, PaymentStatus.VOID).value
            audit.record(session, actor_id=None, entity="payment", entity_id=payment.id or 0,
                         action="payment_expired", old=status.value, new=payment.status)
    if invoice is not None and InvoiceStatus(invoice.status) is not InvoiceStatus.VOID:
        invoice.status = invoice_transition(InvoiceStatus(invoice.status),
                                            InvoiceStatus.VOID).value
    hours = get_settings().booking_hold_hours
    audit.record(session, actor_id=None, entity=ORDER, entity_id=order.id or 0,
                 action="booking_expired", old=BookingStatus.PENDING.value,
                 new=order.status, note=f"unpaid after {hours} h")
    customer = session.get(User, order.customer_id)
    if customer is not None:
        outbox.record_email(session, to=customer.email, kind="booking_expired",
                            language=customer.language, name=customer.name, order=order.id,
                            hours=hours)
    session.flush()
    return True
