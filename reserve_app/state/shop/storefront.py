"""Customer "Shop" tab: products, the cart (a draft in this tab), "Send order".

The cart only lists what the customer picked; prices, totals and every rule come from the
service (`quote_cart`, `place_order`), which checks everything again when the order is sent.
"""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.errors import DomainError, Unauthenticated, ValidationFailed
from reserve_app.i18n import fmt_money, translate
from reserve_app.presenters.shop import (
    CartLine,
    Choice,
    ProductCard,
    cart_lines,
    points_label,
    product_card,
)
from reserve_app.services import shop
from reserve_app.state import kit


class ShopState(rx.State):
    open: bool = True
    products: list[ProductCard] = []
    methods: list[Choice] = []
    cart: list[CartLine] = []
    total: str = ""
    points_total: str = ""
    errors: dict[str, str] = {}
    form_key: int = 0
    _cart: list[dict] = []

    @rx.event
    async def load(self):
        settings = await kit.read(shop.settings_view)
        lang = await kit.language_of(self)
        self.open = settings.enabled
        self.methods = [Choice(m, translate(lang, f"shop.method.{m}")) for m in settings.methods]
        self.products = [product_card(p, lang)
                         for p in await kit.read(shop.catalogue, lang=lang)]
        self.errors = {}
        await self._quote(self._cart)

    async def _quote(self, items: list[dict]) -> rx.event.EventSpec | None:
        """Price the cart; on a refusal the cart stays as it was and the reason is shown."""
        try:
            view = await kit.read(shop.quote_cart, items=items,
                                   lang=await kit.language_of(self))
        except ValidationFailed as err:   # e.g. quantity 0: say which rule, not "a field"
            messages = await kit.field_errors(self, err)
            return rx.toast.error(" ".join(messages.values()), duration=6000)
        except DomainError as err:
            return await kit.error_toast(self, err)
        lang = await kit.language_of(self)
        self._cart = [{"product_id": ln.product_id, "pay_with": ln.pay_with,
                       "quantity": ln.quantity} for ln in view.lines]
        self.cart = cart_lines(view, lang)
        self.total = fmt_money(view.total, view.currency, lang)
        self.points_total = points_label(view.points, lang) if view.points else ""
        return None

    @rx.event
    async def add(self, product_id: int, pay_with: str):
        return await self._quote([*self._cart, {"product_id": product_id,
                                                "pay_with": pay_with, "quantity": 1}])

    @rx.event
    async def set_quantity(self, product_id: int, pay_with: str, quantity: str):
        items = [dict(i) for i in self._cart]
        for item in items:
            if item["product_id"] == product_id and item["pay_with"] == pay_with:
                item["quantity"] = quantity
        return await self._quote(items)

    @rx.event
    async def remove(self, product_id: int, pay_with: str):
        return await self._quote([i for i in self._cart if (i["product_id"], i["pay_with"])
                                  != (product_id, pay_with)])

    @rx.event
    async def send(self, form: dict):
        try:
            order_id = await kit.write_as_caller(
                self, shop.place_order, items=self._cart,
                method=kit.text_field(form, "method", 16) or None,
                note=form.get("note", "") if isinstance(form, dict) else "")
        except Unauthenticated:   # logged out meanwhile: log in, then back to the cart
            yield await kit.page_access(self, None, "login")
            return
        except DomainError as err:
            yield await kit.fail(self, err)
            return
        self._cart, self.cart, self.errors = [], [], {}
        self.total, self.points_total = "", ""
        self.form_key += 1
        # The order itself reaches "Your orders" through the live push (this page
        # subscribed in its on_load), like every later change of its status.
        yield rx.toast.success(translate(await kit.language_of(self), "shop.sent",
                                         order=order_id))
        lang = await kit.language_of(self)   # stock changed: refresh the products
        self.products = [product_card(p, lang)
                         for p in await kit.read(shop.catalogue, lang=lang)]
