"""Staff "Customers": balances (debt shows negative) and points; admins correct them."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import fmt_money
from reserve_app.presenters.shop import EntryRow, points_label
from reserve_app.services import shop
from reserve_app.settings import get_settings
from reserve_app.state import kit
from reserve_app.state.accounts.ledger import fill


@dataclass
class CustomerRow:
    id: int
    name: str
    email: str
    balance: str
    balance_negative: bool
    points: str


class CustomersState(rx.State):
    search: str = ""
    rows: list[CustomerRow] = []
    selected: int = 0
    selected_name: str = ""
    balance: str = ""
    balance_negative: bool = False
    points: str = ""
    money_entries: list[EntryRow] = []
    points_entries: list[EntryRow] = []
    errors: dict[str, str] = {}
    form_key: int = 0

    @rx.event
    async def load(self):
        self.selected = 0
        return await kit.open_page(self, "staff")

    async def _reload(self) -> None:
        actor = await kit.current_actor(self)
        lang = await kit.language_of(self)
        currency = get_settings().currency
        lines = await kit.read(shop.customers, actor=actor, search=self.search)
        self.rows = [CustomerRow(c.id, c.name, c.email, fmt_money(c.balance, currency, lang),
                                 c.balance < 0, points_label(c.points, lang)) for c in lines]
        if self.selected:
            view = await kit.read(shop.account, actor=actor, customer_id=self.selected)
            self.selected_name = view.name
            await fill(self, view)

    @rx.event
    async def find(self, form: dict):
        self.search = kit.text_field(form, "search", 100)
        try:
            await self._reload()
        except DomainError as err:   # not staff: say so, show nothing
            self.rows = []
            return await kit.error_toast(self, err)
        return None

    @rx.event
    async def open(self, customer_id: int):
        self.selected = customer_id if isinstance(customer_id, int) else 0
        try:
            await self._reload()
        except DomainError as err:
            self.selected = 0
            return await kit.error_toast(self, err)

    @rx.event
    async def adjust(self, form: dict):
        return await kit.save_and_reload(
            self, shop.adjust, customer_id=self.selected,
            ledger=kit.text_field(form, "ledger", 8),
            amount=kit.text_field(form, "amount", 16), note=kit.text_field(form, "note", 600))
