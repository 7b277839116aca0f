"""Admin "Shop": the shop switch, payment methods customers may choose, and products."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.i18n import fmt_money, translate
from reserve_app.services import shop
from reserve_app.state import kit
from reserve_app.state.kit import save_and_reload as save


@dataclass
class ProductRow:
    id: int
    name: str
    kind: str
    kind_label: str
    price: str
    price_raw: str
    tax_rate: str
    points_price: str
    stock: str
    minutes: str
    orderable: bool
    contents: str


class ShopAdminState(rx.State):
    FORMS_SHOW_SAVED: ClassVar[bool] = True
    enabled: bool = True
    methods: list[str] = []
    settings_version: str = ""  # of the settings the form shows (stale saves are refused)
    products: list[ProductRow] = []
    parts: list[ProductRow] = []          # what a bundle may contain
    editing: int = 0                      # 0: the form creates a new product
    bundle: dict[str, str] = {}           # the edited bundle's contents: product id -> qty
    errors: dict[str, str] = {}
    form_key: int = 0

    @rx.event
    async def load(self):
        self.editing = 0
        return await kit.open_page(self, "admin")

    async def _reload(self) -> None:
        actor = await kit.current_actor(self)
        settings = await kit.read(shop.settings_view)
        self.enabled, self.methods = settings.enabled, settings.methods
        self.settings_version = settings.version
        lang = await kit.language_of(self)
        views = await kit.read(shop.catalogue, all_products=True, actor=actor)
        self.products = [ProductRow(
            p.id, p.name, p.kind, translate(lang, f"shop.kind.{p.kind}"),
            fmt_money(p.price, p.currency, lang), str(p.price), str(p.tax_rate),
            "" if p.points_price is None else str(p.points_price),
            "" if p.stock is None else str(p.stock), "" if p.minutes is None else str(p.minutes),
            p.orderable, p.contents) for p in views]
        self.parts = [p for p in self.products if p.kind != "bundle"]

    @rx.event
    async def save_settings(self, form: dict):
        return await save(self, shop.save_settings,
                          enabled=kit.text_field(form, "enabled") == "on",
                          methods=[m for m in ("cash", "card", "balance")
                                   if kit.text_field(form, f"method_{m}") == "on"],
                          version=kit.text_field(form, "version", 32))

    @rx.event
    async def save_product(self, form: dict):
        bundle = {int(k[2:]): v for k, v in (form.items() if isinstance(form, dict) else [])
                  if isinstance(k, str) and k.startswith("b_") and k[2:].isdigit()
                  and isinstance(v, str) and v.strip() not in ("", "0")}
        fields = {name: kit.text_field(form, name, 20)
                  for name in ("price", "tax_rate", "points_price", "stock", "minutes")}
        result = await save(self, shop.save_product, product_id=self.editing or None,
                            name=kit.text_field(form, "name", 200),
                            kind=kit.text_field(form, "kind", 16),
                            orderable=kit.text_field(form, "orderable") == "on",
                            bundle=bundle, **fields)
        if not self.errors:
            self.editing, self.bundle = 0, {}
        return result

    @rx.event
    async def edit(self, product_id: int):
        """The form shows the product's values in force (read again now)."""
        actor = await kit.current_actor(self)
        await self._reload()
        try:
            self.bundle = {str(k): str(v) for k, v in (await kit.read(
                shop.bundle_of, actor=actor, product_id=product_id)).items()}
        except DomainError as err:
            return await kit.error_toast(self, err)
        self.editing, self.errors = product_id, {}
        self.form_key += 1

    @rx.event
    def new(self):
        self.editing, self.bundle, self.errors = 0, {}, {}
        self.form_key += 1

    @rx.event
    async def set_orderable(self, product_id: int, orderable: bool):
        return await save(self, shop.set_orderable, product_id=product_id, orderable=orderable)
