"""The built-in provider: no card form; the payment waits for a staff member's approval."""

from __future__ import annotations

from sqlmodel import Session

from reserve_app.domain.billing import PaymentStatus
from reserve_app.models import Invoice, Payment


class ManualProvider:
    name = "manual"

    def start(self, session: Session, invoice: Invoice) -> Payment:
        payment = Payment(invoice_id=invoice.id or 0, provider=self.name, method="online",
                          amount=invoice.total, status=PaymentStatus.PENDING.value)
        session.add(payment)
        session.flush()
        return payment

    def checkout(self, payment_id: int) -> str:
        return ""   # no card form: the payment waits for staff
