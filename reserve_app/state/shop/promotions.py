"""Admin "Promotions" (/staff/promotions): promotions, their variants, required action."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from reserve_app.domain.errors import DomainError, NotFound
from reserve_app.services import vouchers
from reserve_app.state import kit


@dataclass
class VariantItem:
    id: int
    name: str
    price: str
    tax_rate: str


@dataclass
class PromotionItem:
    id: int
    title: str
    description: str
    required_action: str
    instructions: str
    valid_from: str
    valid_until: str
    active: bool
    variants: list[VariantItem]


class PromotionsAdminState(rx.State):
    promotions: list[PromotionItem] = []
    editing: int = 0        # the promotion in the form (0: a new one)
    editing_variant: int = 0  # the variant in its edit form (0: none)
    draft: dict[str, str] = {}
    draft_active: bool = True
    errors: dict[str, str] = {}
    form_key: int = 0

    async def _reload(self) -> None:
        try:
            found = await kit.read_as_caller(self, vouchers.all_promotions)
        except DomainError:
            found = []
        self.promotions = [PromotionItem(
            p.id, p.title, p.description, p.required_action, p.instructions,
            p.valid_from.isoformat() if p.valid_from else "",
            p.valid_until.isoformat() if p.valid_until else "", p.active,
            [VariantItem(v.id, v.name, str(v.price), f"{v.tax_rate.normalize():f}")
             for v in p.variants])
            for p in found]

    @rx.event
    async def load(self):
        self.editing, self.errors, self.draft, self.draft_active = 0, {}, {}, True
        self.editing_variant = 0
        self.form_key += 1
        return await kit.open_page(self, "admin")

    @rx.event
    async def edit(self, promotion_id: int):
        """Fill the form with the promotion's values in force (read again now)."""
        await self._reload()
        found = next((p for p in self.promotions if p.id == promotion_id), None)
        self.editing = found.id if found else 0
        self.draft = {k: getattr(found, k) for k in (
            "title", "description", "required_action", "instructions", "valid_from",
            "valid_until")} if found else {}
        self.draft_active = found.active if found else True
        self.errors = {}
        self.form_key += 1
        if found is None:
            return await kit.error_toast(self, NotFound())
        return rx.scroll_to("promotion-form")  # the form is below the list

    @rx.event
    def cancel(self):
        self.editing, self.errors, self.draft, self.draft_active = 0, {}, {}, True
        self.form_key += 1

    @rx.event
    async def save(self, form: dict):
        data = form if isinstance(form, dict) else {}
        done = await kit.save_and_reload(
            self, vouchers.save_promotion, promotion_id=self.editing,
            title=data.get("title"), description=data.get("description", ""),
            required_action=data.get("required_action", ""),
            instructions=data.get("instructions", ""), valid_from=data.get("valid_from", ""),
            valid_until=data.get("valid_until", ""), active=data.get("active") == "on")
        if not self.errors:
            self.editing, self.draft, self.draft_active = 0, {}, True
        return done

    @rx.event
    async def add_variant(self, form: dict):
        """The promotion's id comes in the form (a hidden field): a per-row closure in
        `on_submit` does not compile inside a foreach."""
        data = form if isinstance(form, dict) else {}
        return await kit.save_and_reload(
            self, vouchers.save_variant, promotion_id=kit.digits(data.get("promotion_id")),
            variant_id=0,
            name=data.get("name"), price=data.get("price"), tax_rate=data.get("tax_rate") or "0")

    @rx.event
    async def edit_variant(self, variant_id: int):
        """Open a variant's edit form with the values in force (read again now)."""
        await self._reload()
        known = [v.id for p in self.promotions for v in p.variants]
        self.editing_variant = variant_id if variant_id in known else 0
        self.errors = {}
        self.form_key += 1
        if not self.editing_variant:
            return await kit.error_toast(self, NotFound())
        return None

    @rx.event
    def cancel_variant(self):
        self.editing_variant, self.errors = 0, {}
        self.form_key += 1

    @rx.event
    async def save_variant(self, form: dict):
        """The variant's edit form; which variant (and promotion) its hidden inputs say."""
        data = form if isinstance(form, dict) else {}
        variant_id = kit.digits(data.get("variant_id"))
        if not variant_id:  # never a new variant from an edit form
            return await kit.error_toast(self, NotFound())
        done = await kit.save_and_reload(
            self, vouchers.save_variant, promotion_id=kit.digits(data.get("promotion_id")),
            variant_id=variant_id, name=data.get("v_name"),
            price=data.get("v_price"), tax_rate=data.get("v_tax_rate") or "0")
        if self.errors:
            self.errors = {f"v_{k}": v for k, v in self.errors.items()}
        else:
            self.editing_variant = 0
        return done

    @rx.event
    async def remove_variant(self, variant_id: int):
        return await kit.save_and_reload(self, vouchers.remove_variant, variant_id=variant_id)
