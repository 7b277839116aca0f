"""Staff booking order page: answers, invoice and payment, status changes, audit trail."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.presenters.rentals import BookingRow, Choice, Line, PaymentLine, order_page
from reserve_app.services import rentals
from reserve_app.services.billing import settle
from reserve_app.state import kit


class StaffBookingState(rx.State):
    order_id: int = 0
    booking: BookingRow | None = None
    customer: str = ""
    answers: list[Line] = []
    invoice: list[Line] = []
    payments: list[PaymentLine] = []
    history: list[Line] = []
    next_statuses: list[Choice] = []
    payable: bool = False        # the invoice can still be paid (cash at the desk)

    @rx.event
    async def load(self):
        self.order_id = kit.int_param(self, "id") or 0
        try:
            return await kit.open_page(self, "staff")
        except DomainError as err:   # no such order
            return await kit.error_toast(self, err)

    async def _reload(self) -> None:
        d = await kit.read_as_caller(self, rentals.order_detail, order_id=self.order_id)
        page = order_page(d, await kit.language_of(self), kit.viewer_timezone(self))
        self.booking, self.customer, self.answers = page.booking, page.customer, page.answers
        self.invoice, self.payments, self.payable = page.invoice, page.payments, page.payable
        self.history, self.next_statuses = page.history, page.next_statuses

    @rx.event
    async def change_status(self, form: dict):
        return await kit.run(self, rentals.change_status, success="staff.saved",
                             order_id=self.order_id, status=kit.text_field(form, "status", 16),
                             note=kit.text_field(form, "note", 1000))

    @rx.event
    async def approve(self, payment_id: int):
        """Captured at Stripe if the card is held there, else approved here."""
        return await kit.settle(self, settle.capture_or_approve,
                                rentals.approve_booking_payment, payment_id=payment_id,
                                order_id=self.order_id, success="staff.saved")

    @rx.event
    async def paid_in_cash(self):
        """Cash at the desk: any card hold at Stripe is released first, then the invoice is
        paid with a cash payment."""
        return await kit.settle(self, settle.release_then_record, rentals.record_cash_payment,
                                order_kind=rentals.ORDER, order_id=self.order_id,
                                success="staff.saved")
