"""Storefront "Shop" tab: products, the cart, "Send order", and the customer's orders."""

import reflex as rx

from reserve_app.components.bidi import iso
from reserve_app.components.i18n import t
from reserve_app.components.layout import storefront_page
from reserve_app.pages.registry import page
from reserve_app.presenters.shop import CartLine, ItemRow, OrderCard, ProductCard
from reserve_app.state.kit.session import SessionState
from reserve_app.state.shop.my_orders import MyOrdersState
from reserve_app.state.shop.storefront import ShopState


def _product(p: ProductCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(iso(p.name), as_="h3", size="4"),
            rx.text(p.kind_label, size="2", color_scheme="gray"),
            rx.cond(p.details != "", rx.text(iso(p.details), size="2")),
            rx.text(iso(p.price), weight="bold"),
            rx.cond(p.points != "", rx.text(iso(p.points), size="2")),
            rx.cond(
                p.sold_out,
                rx.badge(t("shop.sold_out"), color_scheme="gray"),
                rx.flex(
                    rx.button(t("shop.add"), aria_label=t("shop.add") + ": " + p.name,
                              on_click=ShopState.add(p.id, "money")),
                    rx.cond(p.points != "", rx.button(
                        t("shop.add_points"), variant="soft",
                        aria_label=t("shop.add_points") + ": " + p.name,
                        on_click=ShopState.add(p.id, "points"))),
                    spacing="2", wrap="wrap"),
            ),
            spacing="2", align="start",
        ),
    )


def _cart_line(c: CartLine) -> rx.Component:
    qty_id = "qty-" + c.product_id.to_string() + "-" + c.pay_with
    return rx.table.row(
        rx.table.cell(iso(c.name), rx.cond(c.by_points,
                                      rx.text(t("shop.paid_with_points"), size="1",
                                              color_scheme="gray"))),
        rx.table.cell(
            rx.el.label(t("shop.quantity_of") + " " + c.name, html_for=qty_id,
                        class_name="sr-only"),
            rx.el.input(id=qty_id, type="number", min=1, max=99, default_value=c.quantity,
                        key=qty_id + c.quantity.to_string(), class_name="qty-input",
                        on_change=lambda v: ShopState.set_quantity(c.product_id, c.pay_with,
                                                                   v).debounce(400)),
        ),
        rx.table.cell(iso(c.amount)),
        rx.table.cell(rx.button(t("shop.remove"), variant="ghost", color_scheme="red",
                                aria_label=t("shop.remove") + ": " + c.name,
                                on_click=ShopState.remove(c.product_id, c.pay_with))),
    )


def _cart() -> rx.Component:
    s = ShopState
    return rx.el.section(
        rx.heading(t("shop.cart"), as_="h2", size="5"),
        rx.cond(
            s.cart.length() == 0,
            rx.text(t("shop.cart_empty"), color_scheme="gray"),
            rx.vstack(
                rx.table.root(
                    rx.table.header(rx.table.row(
                        rx.table.column_header_cell(t("shop.col.product")),
                        rx.table.column_header_cell(t("shop.col.quantity")),
                        rx.table.column_header_cell(t("shop.col.amount")),
                        rx.table.column_header_cell(rx.text(t("shop.col.actions"),
                                                            class_name="sr-only")))),
                    rx.table.body(rx.foreach(s.cart, _cart_line)), width="100%"),
                rx.text(t("price.total"), ": ", rx.text.strong(iso(s.total)),
                        rx.cond(s.points_total != "", rx.text.span(" + ", iso(s.points_total)))),
                rx.form(
                    rx.vstack(
                        rx.el.label(t("shop.method"), html_for="field-method",
                                    font_weight="500"),
                        rx.el.select(rx.foreach(s.methods, lambda m: rx.el.option(
                            m.label, value=m.value)), id="field-method", name="method",
                            class_name="native-select"),
                        rx.cond(s.errors.contains("method"),
                                rx.text(s.errors["method"], color_scheme="red", size="2",
                                        role="alert")),
                        rx.el.label(t("shop.note"), html_for="field-note", font_weight="500"),
                        rx.text_area(id="field-note", name="note", max_length=500,
                                     width="100%"),
                        rx.cond(SessionState.logged_in,
                                rx.button(t("shop.send"), type="submit", size="3"),
                                rx.link(rx.button(t("shop.login_to_order"), type="button"),
                                        href="/login?next=/shop")),
                        spacing="2", align="stretch", width="100%"),
                    on_submit=s.send, key=s.form_key.to_string(), width="100%"),
                spacing="3", width="100%", align="stretch"),
        ),
        aria_label=t("shop.cart"),
        width="100%",
    )


def _item(i: ItemRow) -> rx.Component:
    return rx.hstack(rx.text(iso(i.label)), rx.text(iso(i.price), color_scheme="gray"),
                     rx.cond(i.delivered, rx.badge(t("shop.delivered"), color_scheme="green")),
                     spacing="2")


def my_order_card(o: OrderCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(t("shop.order_no"), " ", iso(o.id), as_="h3", size="3"),
                      rx.badge(o.status_label, color_scheme=o.status_color, size="2"),
                      rx.badge(o.payment_label, color_scheme=rx.cond(o.in_debt, "red", "gray")),
                      spacing="2", wrap="wrap", align="center"),
            rx.text(o.created, size="2", color_scheme="gray"),
            rx.foreach(o.lines, _item),
            rx.text(t("price.total"), ": ", iso(o.total),
                    rx.cond(o.points != "", rx.text.span(" + ", iso(o.points)))),
            rx.cond(o.method_label != "", rx.text(t("shop.method"), ": ", o.method_label,
                                                  size="2")),
            rx.cond(o.invoice != "", rx.text(t("shop.invoice"), " ", iso(o.invoice), size="2")),
            rx.text(t("ticket.fulfilment"), ": ", o.fulfilment_label,
                    rx.cond(o.tracking_url != "", rx.text.span(
                        " · ", rx.link(t("ticket.tracking"), href=o.tracking_url,
                                       is_external=True))), size="2"),
            spacing="1", align="start"),
        role="article", aria_label=t("shop.order_no") + " " + o.id.to_string(),
    )


def my_orders_section() -> rx.Component:
    return rx.el.section(
        rx.heading(t("shop.my_orders"), as_="h2", size="5"),
        rx.box(
            rx.cond(MyOrdersState.orders.length() == 0,
                    rx.text(t("shop.no_orders"), color_scheme="gray"),
                    rx.vstack(rx.foreach(MyOrdersState.orders, my_order_card), spacing="2",
                              width="100%")),
            aria_live="polite", role="region", aria_label=t("shop.my_orders"),
        ),
        width="100%",
    )


@page("/shop", ShopState.load, MyOrdersState.load)
def shop() -> rx.Component:
    s = ShopState
    return storefront_page(
        rx.heading(t("shop.title"), as_="h1", size="7"),
        rx.cond(
            s.open,
            rx.vstack(
                rx.cond(s.products.length() == 0, rx.text(t("shop.no_products"))),
                rx.grid(rx.foreach(s.products, _product),
                        columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="3",
                        width="100%"),
                _cart(),
                spacing="5", width="100%", margin_top="1rem"),
            rx.callout(t("shop.closed"), margin_top="1rem"),
        ),
        # Orders stay visible (and live) while the shop is closed.
        rx.cond(SessionState.logged_in, rx.box(my_orders_section(), margin_top="2rem")),
    )
