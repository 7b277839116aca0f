"""Staff "Orders" panel: live list of open orders with the status actions."""

import reflex as rx

from reserve_app.components.bidi import iso
from reserve_app.components.i18n import t
from reserve_app.components.layout import staff_page
from reserve_app.domain.shop import PaymentMethod
from reserve_app.domain.tickets import Fulfilment
from reserve_app.pages.registry import page
from reserve_app.presenters.shop import ItemRow, OrderCard
from reserve_app.state.shop.staff_orders import StaffOrdersState

FULFILMENT = [f.value for f in Fulfilment]
ACTION_STYLE = {"accept": "green", "cancel": "gray", "void": "red", "complete": "blue"}


def _item(order: OrderCard, i: ItemRow) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", checked=i.delivered,
                    on_change=lambda v: StaffOrdersState.deliver(order.id, i.id, v)),
        " ", iso(i.label), " · ", iso(i.price), " — ", t("shop.delivered"),
        display="flex", gap="0.5rem", align_items="center",
    )


def _action(order: OrderCard, action: str) -> rx.Component:
    label = t(f"shop.action.{action}")
    if action == "pay":
        return rx.button(label, color_scheme="green", variant="soft",
                         aria_label=label + " #" + order.id.to_string(),
                         on_click=StaffOrdersState.open_pay(order.id, order.method))
    return rx.button(label, color_scheme=ACTION_STYLE[action], variant="soft",
                     aria_label=label + " #" + order.id.to_string(),
                     on_click=StaffOrdersState.act(order.id, action))


def _fulfilment(o: OrderCard) -> rx.Component:
    sel, url = "fulfilment-" + o.id.to_string(), "tracking-" + o.id.to_string()
    return rx.form(
        rx.flex(
            rx.vstack(
                rx.el.label(t("ticket.fulfilment"), html_for=sel, font_weight="500"),
                rx.el.select(*[rx.el.option(t(f"ticket.fulfilment.{f}"), value=f)
                               for f in FULFILMENT], id=sel, name="fulfilment",
                             default_value=o.fulfilment, class_name="native-select"),
                spacing="1"),
            rx.vstack(
                rx.el.label(t("ticket.tracking_url"), html_for=url, font_weight="500"),
                rx.input(id=url, name="tracking_url", default_value=o.tracking_url,
                         type="url", max_length=500, width="20rem"),
                spacing="1"),
            rx.el.input(type="hidden", name="order_id", value=o.id.to_string()),
            rx.button(t("ticket.save_fulfilment"), type="submit", variant="soft",
                      aria_label=t("ticket.save_fulfilment") + " #" + o.id.to_string()),
            spacing="3", wrap="wrap", align="end"),
        on_submit=StaffOrdersState.set_fulfilment,
        key=o.id.to_string() + o.fulfilment + o.tracking_url,
    )


def _card(o: OrderCard, live: bool = True) -> rx.Component:
    s = StaffOrdersState
    viewing = s.viewing.contains(o.id)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(t("shop.order_no"), " ", iso(o.id), as_="h3", size="3"),
                rx.badge(o.status_label, color_scheme=o.status_color, size="2"),
                rx.badge(o.payment_label, color_scheme=rx.cond(o.in_debt, "red", "gray")),
                rx.text(o.created, size="2", color_scheme="gray"),
                spacing="2", wrap="wrap", align="center"),
            rx.text(iso(o.customer), " · ", t("shop.balance"), ": ",
                    rx.text.span(iso(o.balance), color=rx.cond(o.balance_negative, "var(--red-11)",
                                                          "inherit"))),
            rx.text(t("price.total"), ": ", rx.text.strong(iso(o.total)),
                    rx.cond(o.points != "", rx.text.span(" + ", iso(o.points))),
                    rx.cond(o.method_label != "",
                            rx.text.span(" · ", t("shop.method"), ": ", o.method_label))),
            rx.cond(o.invoice != "", rx.text(t("shop.invoice"), " ", iso(o.invoice), size="2")),
            rx.cond(o.note != "", rx.blockquote(o.note, size="2")),
            rx.text(t("ticket.fulfilment"), ": ", o.fulfilment_label,
                    rx.cond(o.tracking_url != "", rx.text.span(
                        " · ", rx.link(t("ticket.tracking"), href=o.tracking_url,
                                       is_external=True))), size="2"),
            rx.cond(viewing, rx.vstack(rx.foreach(o.lines, lambda i: _item(o, i)),
                                       _fulfilment(o), spacing="2")),
            rx.flex(
                rx.button(rx.cond(viewing, t("shop.action.hide"), t("shop.action.view")),
                          variant="outline", aria_expanded=viewing,
                          aria_label=t("shop.action.view") + " #" + o.id.to_string(),
                          on_click=s.toggle_view(o.id)),
                *([rx.cond(o.actions.contains(a), _action(o, a))
                   for a in ("accept", "cancel", "pay", "complete", "void")] if live else []),
                spacing="2", wrap="wrap"),
            spacing="2", align="start", width="100%"),
        role="article",
        aria_label=t("shop.order_no") + " " + o.id.to_string(),
        width="100%",
    )


def _pay_dialog() -> rx.Component:
    s = StaffOrdersState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("shop.pay_title"), " ", iso("#", s.paying_id)),
            rx.form(
                rx.vstack(
                    rx.el.label(t("shop.method"), html_for="pay-method", font_weight="500"),
                    rx.el.select(*[rx.el.option(t(f"shop.method.{m.value}"), value=m.value)
                                   for m in PaymentMethod],
                                 id="pay-method", name="method", default_value=s.paying_method,
                                 key=s.paying_id.to_string(), class_name="native-select"),
                    rx.hstack(
                        rx.button(t("shop.record_payment"), type="submit"),
                        rx.dialog.close(rx.button(t("shop.dialog_cancel"), type="button",
                                                  variant="soft", color_scheme="gray")),
                        spacing="2"),
                    spacing="3", align="stretch"),
                on_submit=s.pay),
        ),
        open=s.paying_id > 0,
        on_open_change=lambda is_open: rx.cond(is_open, rx.noop(), s.close_pay()),
    )


@page("/staff/orders", StaffOrdersState.load)
def orders() -> rx.Component:
    s = StaffOrdersState
    return staff_page(
        rx.heading(t("shop.orders_title"), as_="h1", size="6"),
        rx.el.label(
            rx.el.input(type="checkbox", checked=s.sound, on_change=s.set_sound),
            " ", t("shop.sound"), display="flex", gap="0.5rem", align_items="center",
            margin_block="0.5rem"),
        rx.cond(s.sound & (s.chime > 0),
                rx.el.audio(src="/new-order.wav", auto_play=True, key=s.chime.to_string(),
                            data_testid="order-chime")),
        rx.el.section(
            rx.heading(t("shop.open_orders"), " (", s.orders.length(), ")", as_="h2", size="4"),
            rx.cond(s.orders.length() == 0, rx.text(t("shop.no_open_orders"),
                                                    color_scheme="gray")),
            rx.vstack(rx.foreach(s.orders, lambda o: _card(o, live=True)), spacing="2",
                      width="100%"),
            aria_live="polite", aria_label=t("shop.open_orders"), width="100%",
        ),
        rx.el.section(
            rx.heading(t("shop.recently_closed"), as_="h2", size="4", margin_top="1.5rem"),
            rx.vstack(rx.foreach(s.closed, lambda o: _card(o, live=False)), spacing="2",
                      width="100%"),
            aria_label=t("shop.recently_closed"), width="100%",
        ),
        _pay_dialog(),
    )
