"""Staff booking order page: answers, invoice and payment, status changes, audit trail."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import fmt_datetime, fmt_money, translate
from reserve_app.presenters.rentals import BookingRow, booking_row
from reserve_app.services import rentals
from reserve_app.services.billing import settle
from reserve_app.state import kit
from reserve_app.state.rentals.staff_orders import Choice


@dataclass
class Line:
    label: str
    value: str


@dataclass
class PaymentLine:
    id: int
    provider: str
    provider_label: str
    amount: str
    status: str
    label: str


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
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "staff")) is not None:
            return elsewhere
        self.order_id = kit.int_param(self, "id") or 0
        return await self._show(rentals.order_detail, order_id=self.order_id)

    @rx.event
    async def change_status(self, form: dict):
        return await self._show(rentals.change_status, write=True, order_id=self.order_id,
                                status=kit.text_field(form, "status", 16),
                                note=kit.text_field(form, "note", 1000), saved=True)

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

    async def _reload(self) -> None:
        """The refresh after an action (kit.settle)."""
        await self._show(rentals.order_detail, order_id=self.order_id)

    async def _show(self, fn, *, write: bool = False, saved: bool = False, **kwargs):  # noqa: ANN001
        actor = await kit.current_actor(self)
        try:
            d = await (kit.write if write else kit.read)(fn, actor=actor, **kwargs)
        except DomainError as err:
            if write:
                await self._show(rentals.order_detail, order_id=self.order_id)
            return await kit.error_toast(self, err)
        lang = await kit.language_of(self)
        tz = kit.viewer_timezone(self)
        self.booking = booking_row(d.booking, lang, False)
        self.customer = f"{d.customer_name} <{d.customer_email}>"
        self.answers = [Line(label, value) for label, value in d.answers]
        inv = d.invoice
        self.invoice = [] if inv is None else [
            Line(translate(lang, "invoice.number"), inv.number or translate(lang, "invoice.none")),
            Line(translate(lang, "invoice.status"),
                 translate(lang, f"invoice.status.{inv.status}")),
            Line(translate(lang, "price.subtotal"), fmt_money(inv.subtotal, inv.currency, lang)),
            Line(translate(lang, "price.tax"), fmt_money(inv.tax, inv.currency, lang)),
            Line(translate(lang, "price.total"), fmt_money(inv.total, inv.currency, lang)),
        ]
        self.payments = [PaymentLine(p.id, p.provider,
                                     translate(lang, f"payment.provider.{p.provider}"),
                                     fmt_money(p.amount, inv.currency, lang),
                                     p.status, translate(lang, f"payment.status.{p.status}"))
                         for p in d.payments] if inv else []
        self.payable = inv is None or inv.status in ("draft", "issued")
        self.history = [Line(f"{fmt_datetime(h.at, lang, tz)} · {h.actor_name or '—'}",
                             _history_text(h, lang)) for h in d.history]
        self.next_statuses = [Choice(s, translate(lang, f"booking.status.{s}"))
                              for s in d.next_statuses]
        if saved:
            return rx.toast.success(translate(lang, "staff.saved"))


def _history_text(h, lang: str) -> str:  # noqa: ANN001
    change = " → ".join(v for v in (h.old_value, h.new_value) if v)
    text = translate(lang, f"audit.{h.action}") + (f": {change}" if change else "")
    return text + (f" — {h.note}" if h.note else "")
