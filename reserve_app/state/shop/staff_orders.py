"""Staff "Orders" panel: open orders (newest at the bottom), live on every staff screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import reflex as rx

from reserve_app import live
from reserve_app.domain.errors import DomainError
from reserve_app.presenters.shop import OrderCard, order_card
from reserve_app.services import shop, tickets
from reserve_app.services.platform import live as live_events
from reserve_app.state import kit


class StaffOrdersState(rx.State):
    orders: list[OrderCard] = []
    closed: list[OrderCard] = []
    viewing: list[int] = []     # orders whose content is shown
    paying_id: int = 0          # the order in the "Pay" dialog
    paying_method: str = ""
    sound: bool = False
    chime: int = 0              # bumped by each new order; re-mounts the audio element
    updates: int = 0

    async def _reload(self, batch: live.Batch | None = None) -> None:
        if batch is None:   # after an action or on load: caller and lists in one read
            batch = live.Batch()
            panel = await kit.read_as_caller(self, shop.staff_panel)
            actor, open_views, closed_views = panel.actor, panel.open, panel.recent
        else:               # a live push: this round's shared reads
            actor = await live.caller(self, batch)
            if actor is not None and actor.is_staff:
                open_views = await batch.once(
                    "open", lambda: kit.read(shop.open_orders, actor=actor))
                closed_views = await batch.once(
                    "closed", lambda: kit.read(shop.recent_orders, actor=actor))
        if actor is None or not actor.is_staff:
            self.orders, self.closed = [], []
            return
        lang, tz = await kit.language_of(self), kit.viewer_timezone(self)
        # Fifty panels in one language and time zone format the cards once. The lists are
        # shared between tabs and never changed in place (only replaced).
        open_cards = await batch.once(("open", lang, tz), lambda: _cards(open_views, lang, tz))
        closed_cards = await batch.once(("closed", lang, tz),
                                        lambda: _cards(closed_views, lang, tz))
        # Only a list that changed is sent (a new order leaves "closed" as it was), and not
        # again if this round's broadcast already delivered it to this tab.
        if open_cards != self.orders:
            self.orders = open_cards
            if live.already_sent(self, batch, "orders", open_cards):
                self.dirty_vars.discard("orders")
        if closed_cards != self.closed:
            self.closed = closed_cards

    @rx.event
    async def load(self):
        """Also runs on every (re)connect: reloads and subscribes this tab."""
        actor = await kit.current_actor(self)
        if (elsewhere := await kit.page_access(self, actor, "staff")) is not None:
            return elsewhere
        await live.subscribe(self, live_events.STAFF_ORDERS, actor)
        self.sound = await kit.read(shop.order_sound, actor=actor)
        self.paying_id, self.chime = 0, 0   # the chime is for orders arriving from now on
        await self._reload()

    # Read once per live round for every tab of this page (as a staff caller): batch.peek("open").
    SHARED_LOADS: ClassVar[dict[str, Callable[..., object]]] = {"open": shop.open_orders}

    @staticmethod
    def _shares_with(actor) -> bool:  # noqa: ANN001
        return actor.is_staff

    @staticmethod
    async def _shared_vars(batch: live.Batch, lang: str, tz: str) -> dict | None:
        """What every staff panel in this language and time zone shows: the open orders."""
        views = batch.peek("open")
        if views is None:
            return None
        return {"orders": await batch.once(("open", lang, tz), lambda: _cards(views, lang, tz))}

    async def _live(self, events: list[live_events.LiveView], batch: live.Batch) -> None:
        await self._reload(batch)
        if any(e.kind == "order_new" for e in events):
            self.chime += 1
        self.updates += 1

    @rx.event
    async def act(self, order_id: int, action: str):
        return await kit.run(self, shop.act, order_id=order_id, action=action)

    @rx.event
    async def set_fulfilment(self, form: dict):
        """Where the order is ("awaiting review" … "delivered") and its tracking link, as the
        customer's "My order is late" uses them. The order's id comes in the form (a hidden
        field): a per-row closure in `on_submit` does not compile inside a foreach."""
        order_id = kit.digits(form.get("order_id") if isinstance(form, dict) else None)
        return await kit.run(self, tickets.set_fulfilment, order_id=order_id,
                             fulfilment=kit.text_field(form, "fulfilment", 16),
                             tracking_url=kit.text_field(form, "tracking_url", 600))

    @rx.event
    async def deliver(self, order_id: int, item_id: int, delivered: bool):
        return await kit.run(self, shop.mark_delivered, order_id=order_id, item_id=item_id,
                             delivered=delivered)

    @rx.event
    def toggle_view(self, order_id: int):
        if isinstance(order_id, int):
            self.viewing = ([i for i in self.viewing if i != order_id]
                            if order_id in self.viewing else [*self.viewing, order_id][-50:])

    @rx.event
    def open_pay(self, order_id: int, method: str):
        if isinstance(order_id, int) and isinstance(method, str):
            self.paying_id, self.paying_method = order_id, method[:16]

    @rx.event
    def close_pay(self):
        self.paying_id = 0

    @rx.event
    async def pay(self, form: dict):
        order_id, self.paying_id = self.paying_id, 0
        return await kit.run(self, shop.pay, success="shop.paid_notice", order_id=order_id,
                             method=kit.text_field(form, "method", 16))

    @rx.event
    async def set_sound(self, on: bool):
        try:
            self.sound = await kit.write_as_caller(self, shop.set_order_sound, on=on)
        except DomainError as err:
            return await kit.error_toast(self, err)


async def _cards(views: list[shop.OrderView], lang: str, tz: str) -> list[OrderCard]:
    return [order_card(v, lang, tz) for v in views]
