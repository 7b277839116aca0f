"""Balance and points with their ledgers: the customer's own (My account), live."""

from __future__ import annotations

import reflex as rx

from reserve_app import live
from reserve_app.i18n import fmt_money
from reserve_app.presenters.shop import EntryRow, entry_row, points_label
from reserve_app.services import shop
from reserve_app.services.platform import live as live_events
from reserve_app.state import kit


class LedgerState(rx.State):
    balance: str = ""
    balance_negative: bool = False
    points: str = ""
    money_entries: list[EntryRow] = []
    points_entries: list[EntryRow] = []

    async def _reload(self, batch: live.Batch | None = None) -> None:
        actor = await live.caller(self, batch)
        if actor is None:
            return
        await fill(self, await kit.read(shop.account, actor=actor))

    @rx.event
    async def load(self):
        actor = await kit.current_actor(self)
        if actor is not None:
            await live.subscribe(self, live_events.customer_topic(actor.user_id), actor)
        await self._reload()

    async def _live(self, events: list, batch: live.Batch) -> None:
        await self._reload(batch)


async def fill(state: rx.State, view: shop.AccountView) -> None:
    """Put an account's figures and ledgers into a state with LedgerState's vars."""
    lang, tz = await kit.language_of(state), kit.viewer_timezone(state)
    state.balance = fmt_money(view.balance, view.currency, lang)  # type: ignore[attr-defined]
    state.balance_negative = view.balance < 0  # type: ignore[attr-defined]
    state.points = points_label(view.points, lang)  # type: ignore[attr-defined]
    state.money_entries = [entry_row(e, lang, tz, view.currency)  # type: ignore[attr-defined]
                           for e in view.balance_entries]
    state.points_entries = [entry_row(e, lang, tz, None)  # type: ignore[attr-defined]
                            for e in view.points_entries]
