"""The customer's own shop orders, updated live as staff act on them."""

from __future__ import annotations

import reflex as rx

from reserve_app import live
from reserve_app.presenters.shop import OrderCard, order_card
from reserve_app.services import shop
from reserve_app.services.platform import live as live_events
from reserve_app.state import kit


class MyOrdersState(rx.State):
    orders: list[OrderCard] = []
    updates: int = 0          # counts live updates (lets tests and screen readers notice)

    async def _reload(self, batch: live.Batch | None = None) -> None:
        actor = await live.caller(self, batch)
        if actor is None:
            self.orders = []
            return
        lang, tz = await kit.language_of(self), kit.viewer_timezone(self)
        views = await kit.read(shop.my_orders, actor=actor, lang=lang)
        self.orders = [order_card(v, lang, tz) for v in views]

    @rx.event
    async def load(self):
        """Also runs on every (re)connect: reloads, and subscribes this tab to its events."""
        actor = await kit.current_actor(self)
        if actor is not None:
            await live.subscribe(self, live_events.customer_topic(actor.user_id), actor)
        await self._reload()

    async def _live(self, events: list, batch: live.Batch) -> None:
        await self._reload(batch)
        self.updates += 1
