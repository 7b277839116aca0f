"""Where Stripe Checkout sends the customer back (/payment/return?payment=…). It only shows
what the webhooks have recorded so far; coming back here never marks anything paid."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import translate
from reserve_app.services.billing import invoices as billing
from reserve_app.state import kit


class PaymentReturnState(rx.State):
    cancelled: bool = False
    status: str = ""          # "" = not found
    status_label: str = ""

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "login")) is not None:
            return elsewhere
        self.cancelled = kit.query_param(self, "cancelled") == "1"
        try:
            status = await kit.read(billing.my_payment_status, actor=actor,
                                     payment_id=kit.int_param(self, "payment"))
        except DomainError:
            self.status = self.status_label = ""
            return None
        self.status = status
        # Pending here means the card was not paid on Stripe's page (nobody is "approving").
        key = "payment.return_pending" if status == "pending" else f"payment.status.{status}"
        self.status_label = translate(await kit.language_of(self), key)
        return None
