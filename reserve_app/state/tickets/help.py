"""Storefront "Help" (/help): the two ticket types a customer can open.

"Charged but no order created" is one form; "My order is late" picks an order, then "Next"
asks the service, which applies the 48-hour rules (and may create the ticket itself).
"""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import translate
from reserve_app.presenters.tickets import OrderOption, order_option
from reserve_app.services import tickets
from reserve_app.state import kit


class HelpState(rx.State):
    step: str = "choose"          # choose, charged, late, outcome, created
    enabled: bool = True
    orders: list[OrderOption] = []
    order_id: int = 0
    outcome: str = ""             # the late-order rule that applied
    tracking_url: str = ""
    items: list[str] = []         # a delivered order's content
    ticket_id: int = 0
    errors: dict[str, str] = {}
    form_key: int = 0

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "login")) is not None:
            return elsewhere
        self.enabled = await kit.read(tickets.self_service_enabled)
        self.errors, self.outcome, self.ticket_id = {}, "", 0
        kind = kit.query_param(self, "type")
        self.step = kind if kind in ("charged", "late") else "choose"
        if self.step == "late":
            await self._orders()
        return None

    async def _orders(self) -> None:
        actor = await kit.current_actor(self)
        lang, tz = await kit.language_of(self), kit.viewer_timezone(self)
        try:
            found = await kit.read(tickets.orders_to_ask_about, actor=actor)
        except DomainError:
            found = []
        self.orders = [order_option(o, lang, tz) for o in found]

    @rx.event
    async def choose(self, kind: str):
        if kind not in ("charged", "late", "choose"):
            return
        self.step, self.errors, self.outcome = kind, {}, ""
        self.form_key += 1
        if kind == "late":
            await self._orders()

    @rx.event
    async def create_charged(self, form: dict):
        try:
            self.ticket_id = await kit.write_as_caller(
                self, tickets.create_charged_ticket, method=kit.text_field(form, "method", 16),
                last4=kit.text_field(form, "last4", 32),
                details=form.get("details") if isinstance(form, dict) else None)
        except DomainError as err:
            return await kit.fail(self, err)
        self.step, self.errors = "created", {}
        return rx.toast.success(translate(await kit.language_of(self), "ticket.created"))

    @rx.event
    async def next(self, form: dict):
        order_id = kit.digits(kit.text_field(form, "order", 12))
        if order_id is None:
            self.errors = {"order": translate(await kit.language_of(self), "ticket.pick_order")}
            return None
        try:
            view = await kit.write_as_caller(self, tickets.check_late_order, order_id=order_id)
        except DomainError as err:
            return await kit.fail(self, err)
        lang = await kit.language_of(self)
        self.order_id, self.outcome = view.order.id, view.outcome
        self.tracking_url, self.ticket_id = view.tracking_url, view.ticket_id
        self.items = [translate(lang, "ticket.item_line", quantity=q, name=n)
                      for n, q in view.items]
        self.step, self.errors = "outcome", {}
        return None

    @rx.event
    async def create_late(self, form: dict):
        try:
            self.ticket_id = await kit.write_as_caller(
                self, tickets.create_late_ticket, order_id=self.order_id,
                details=form.get("details") if isinstance(form, dict) else None)
        except DomainError as err:
            return await kit.fail(self, err)
        self.step, self.errors = "created", {}
        return rx.toast.success(translate(await kit.language_of(self), "ticket.created"))
