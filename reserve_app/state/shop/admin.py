"""Admin "Shop": the shop switch, payment methods customers may choose, and products."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from reserve_app.domain.errors import DomainError
from reserve_app.domain.shop import PaymentMethod
from reserve_app.presenters.shop import ProductRow, product_row
from reserve_app.services import shop
from reserve_app.state import kit
from reserve_app.state.kit import save_and_reload as save


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
        page = await kit.read_as_caller(self, shop.admin_catalogue)
        self.enabled, self.methods = page.settings.enabled, page.settings.methods
        self.settings_version = page.settings.version
        lang = await kit.language_of(self)
        rows = [(p.bundleable, product_row(p, lang)) for p in page.products]
        self.products = [row for _, row in rows]
        self.parts = [row for bundleable, row in rows if bundleable]

    @rx.event
    async def save_settings(self, form: dict):
        return await save(self, shop.save_settings,
                          enabled=kit.text_field(form, "enabled") == "on",
                          methods=[m.value for m in PaymentMethod
                                   if kit.text_field(form, f"method_{m.value}") == "on"],
                          version=kit.text_field(form, "version", 32))

    @rx.event
    async def save_product(self, form: dict):
        bundle = {int(k[2:]): v for k, v in (form.items() if isinstance(form, dict) else [])
                  if isinstance(k, str) and k.startswith("b_") and kit.digits(k[2:]) is not None
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
        await self._reload()
        try:
            self.bundle = {str(k): str(v) for k, v in (await kit.read_as_caller(
                self, shop.bundle_of, product_id=product_id)).items()}
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
