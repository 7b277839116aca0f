"""Staff booking order page: answers, invoice and payment, status changes, audit trail."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.presenters.rentals import BookingRow, Choice, Line, PaymentLine, order_page
from reserve_app.services import rentals
from reserve_app.state import kit
from reserve_app.state.kit import stripe_actions


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
        if (at_stripe := await stripe_actions.capture(self, payment_id)) is not None:
            await self._show(rentals.order_detail, order_id=self.order_id)
            return at_stripe
        return await self._show(rentals.approve_booking_payment, write=True,
                                order_id=self.order_id, payment_id=payment_id, saved=True)

    @rx.event
    async def paid_in_cash(self):
        """Cash at the desk: any card hold at Stripe is released first, then the invoice is
        paid with a cash payment."""
        ok, said = await stripe_actions.release_invoice(self, rentals.ORDER, self.order_id)
        if not ok:
            return said   # the card could not be released: no cash recorded beside it
        done = await self._show(rentals.record_cash_payment, write=True,
                                order_id=self.order_id, saved=True)
        return [said, done] if said is not None else done

    async def _show(self, fn, *, write: bool = False, saved: bool = False, **kwargs):  # noqa: ANN001
        """What the two Stripe handlers above call, until services/billing/settle.py takes
        their flows over: a write is `kit.run` (one transaction, then the refresh), else the
        order is shown again."""
        if write:
            return await kit.run(self, fn, success="staff.saved" if saved else "", **kwargs)
        await self._reload()
        return None
