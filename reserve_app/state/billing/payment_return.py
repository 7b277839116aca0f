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
    unpaid: bool = False      # still pending: not paid on Stripe's page

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "login")) is not None:
            return elsewhere
        self.cancelled = kit.query_param(self, "cancelled") == "1"
        try:
            view = await kit.read(billing.payment_return, actor=actor,
                                  payment_id=kit.int_param(self, "payment"))
        except DomainError:
            self.status = self.status_label = ""
            self.unpaid = False
            return None
        self.status, self.unpaid = view.status, view.unpaid
        self.status_label = translate(await kit.language_of(self), view.label)
        return None
