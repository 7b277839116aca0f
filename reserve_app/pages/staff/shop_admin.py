"""Admin "Shop": switch, payment methods and the product catalogue."""

import reflex as rx

from reserve_app.components.bidi import iso
from reserve_app.components.i18n import t
from reserve_app.components.layout import checkbox, field, staff_page, table
from reserve_app.domain.shop import PaymentMethod, ProductKind
from reserve_app.pages.registry import page
from reserve_app.presenters.shop import ProductRow
from reserve_app.state.shop.admin import ShopAdminState


def _settings() -> rx.Component:
    s = ShopAdminState
    return rx.form(
        rx.vstack(
            checkbox("enabled", t("shop.admin.enabled"), s.enabled),
            rx.el.fieldset(
                rx.el.legend(t("shop.admin.methods"), font_weight="500"),
                *[checkbox(f"method_{m.value}", t(f"shop.method.{m.value}"),
                           s.methods.contains(m.value)) for m in PaymentMethod],
                border="none", padding="0"),
            rx.cond(s.errors.contains("methods"),
                    rx.text(s.errors["methods"], color_scheme="red", size="2", role="alert")),
            rx.el.input(type="hidden", name="version", value=s.settings_version),
            rx.button(t("shop.admin.save"), type="submit"),
            spacing="2", align="start"),
        on_submit=s.save_settings, key=s.form_key.to_string() + "s",
    )


def _row(p: ProductRow) -> rx.Component:
    s = ShopAdminState
    return rx.table.row(
        rx.table.cell(iso(p.name), rx.cond(p.contents != "", rx.text(iso(p.contents), size="1",
                                                                color_scheme="gray"))),
        rx.table.cell(p.kind_label),
        rx.table.cell(iso(p.price), " ", iso("(", p.tax_rate, "%)")),
        rx.table.cell(iso(p.points_price)),
        rx.table.cell(rx.cond(p.stock != "", iso(p.stock), t("shop.admin.not_tracked"))),
        rx.table.cell(rx.el.label(
            rx.el.input(type="checkbox", checked=p.orderable,
                        on_change=lambda v: s.set_orderable(p.id, v)),
            " ", t("shop.admin.orderable"), display="flex", gap="0.4rem")),
        rx.table.cell(rx.button(t("shop.admin.edit"), variant="soft", on_click=s.edit(p.id),
                                aria_label=t("shop.admin.edit") + ": " + p.name)),
    )


def _form() -> rx.Component:
    s = ShopAdminState
    return rx.form(
        rx.vstack(
            rx.heading(rx.cond(s.editing > 0, t("shop.admin.edit_product"),
                               t("shop.admin.new_product")), as_="h2", size="4"),
            rx.foreach(s.products, lambda p: rx.cond(p.id == s.editing, rx.fragment(
                field("shop.admin.name", "name", errors=s.errors, default_value=p.name,
                      required=True, max_length=100),
                _kind(p.kind),
                field("shop.admin.price", "price", errors=s.errors, default_value=p.price_raw,
                      required=True, inputmode="decimal"),
                field("shop.admin.tax_rate", "tax_rate", errors=s.errors,
                      default_value=p.tax_rate, inputmode="decimal"),
                field("shop.admin.points_price", "points_price", errors=s.errors,
                      default_value=p.points_price, inputmode="numeric"),
                field("shop.admin.stock", "stock", errors=s.errors, default_value=p.stock,
                      inputmode="numeric"),
                field("shop.admin.minutes", "minutes", errors=s.errors,
                      default_value=p.minutes, inputmode="numeric"),
                checkbox("orderable", t("shop.admin.orderable"), p.orderable)))),
            rx.cond(s.editing == 0, rx.fragment(
                field("shop.admin.name", "name", errors=s.errors, required=True,
                      max_length=100),
                _kind("product"),
                field("shop.admin.price", "price", errors=s.errors, required=True,
                      inputmode="decimal"),
                field("shop.admin.tax_rate", "tax_rate", errors=s.errors, default_value="0",
                      inputmode="decimal"),
                field("shop.admin.points_price", "points_price", errors=s.errors,
                      inputmode="numeric"),
                field("shop.admin.stock", "stock", errors=s.errors, inputmode="numeric"),
                field("shop.admin.minutes", "minutes", errors=s.errors, inputmode="numeric"),
                checkbox("orderable", t("shop.admin.orderable"), True))),
            rx.el.fieldset(
                rx.el.legend(t("shop.admin.bundle_contents"), font_weight="500"),
                rx.foreach(s.parts, lambda p: rx.cond(p.id != s.editing, rx.hstack(
                    rx.el.label(iso(p.name), html_for="b-" + p.id.to_string(), min_width="10rem"),
                    rx.el.input(id="b-" + p.id.to_string(), name="b_" + p.id.to_string(),
                                type="number", min=0, max=99, class_name="qty-input",
                                default_value=s.bundle.get(p.id.to_string(), "")),
                    align="center"))),
                rx.cond(s.errors.contains("bundle"),
                        rx.text(s.errors["bundle"], color_scheme="red", size="2",
                                role="alert")),
                border="none", padding="0"),
            rx.hstack(rx.button(rx.cond(s.editing > 0, t("common.save_changes"),
                                        t("shop.admin.save")), type="submit"),
                      rx.cond(s.editing > 0, rx.button(t("common.cancel"),
                                                       type="button", variant="soft",
                                                       on_click=s.new))),
            spacing="2", align="stretch", max_width="28rem"),
        on_submit=s.save_product, key=s.editing.to_string() + "-" + s.form_key.to_string() + "p",
        aria_label=rx.cond(s.editing > 0, t("shop.admin.edit_product"),
                           t("shop.admin.new_product")),
    )


def _kind(current: rx.Var | str) -> rx.Component:
    return rx.vstack(
        rx.el.label(t("shop.admin.kind"), html_for="field-kind", font_weight="500"),
        rx.el.select(*[rx.el.option(t(f"shop.kind.{k.value}"), value=k.value)
                       for k in ProductKind],
                     id="field-kind", name="kind", default_value=current,
                     class_name="native-select"),
        spacing="1")


@page("/staff/shop", ShopAdminState.load)
def shop_admin() -> rx.Component:
    s = ShopAdminState
    return staff_page(
        rx.heading(t("shop.admin.title"), as_="h1", size="6"),
        _settings(),
        rx.heading(t("shop.admin.products"), as_="h2", size="4", margin_top="1.5rem"),
        table(["shop.admin.name", "shop.admin.kind", "shop.admin.price",
               "shop.admin.points_price", "shop.admin.stock", "shop.admin.orderable",
               "shop.admin.actions"], s.products, _row),
        rx.box(_form(), margin_top="1.5rem"),
    )
