"""Storefront help: "Help" (/help), "My tickets" (/help/tickets), one ticket (/help/ticket)."""

import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import storefront_page
from reserve_app.components.tickets import history_list, pending_files, ticket_badge
from reserve_app.domain.tickets import ChargeMethod
from reserve_app.pages.registry import page
from reserve_app.presenters.tickets import TicketLine
from reserve_app.state.tickets.help import HelpState
from reserve_app.state.tickets.my_tickets import MyTicketsState, TicketState


def _error(name: str) -> rx.Component:
    return rx.cond(HelpState.errors.contains(name),
                   rx.text(HelpState.errors[name], id=f"field-{name}-error", color_scheme="red",
                           size="2", role="alert"))


def _label(key: str, for_id: str) -> rx.Component:
    return rx.el.label(t(key), html_for=for_id, font_weight="500")


def _charged() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(t("ticket.type.charged_no_order"), as_="h2", size="5"),
            _label("ticket.method", "field-method"),
            rx.el.select(*[rx.el.option(t(f"ticket.method.{m.value}"), value=m.value)
                           for m in ChargeMethod], id="field-method", name="method",
                         class_name="native-select"),
            _error("method"),
            _label("ticket.last4", "field-last4"),
            rx.input(id="field-last4", name="last4", input_mode="numeric", max_length=4,
                     auto_complete="off", aria_describedby="field-last4-error"),
            _error("last4"),
            _label("ticket.details", "field-details"),
            rx.text_area(id="field-details", name="details", max_length=2000, rows="5",
                         aria_describedby="field-details-error", width="100%"),
            _error("details"),
            rx.button(t("ticket.create"), type="submit", size="3"),
            spacing="2", align="stretch", width="100%", max_width="32rem"),
        on_submit=HelpState.create_charged, key=HelpState.form_key.to_string(),
    )


def _late() -> rx.Component:
    s = HelpState
    return rx.form(
        rx.vstack(
            rx.heading(t("ticket.type.order_late"), as_="h2", size="5"),
            rx.cond(
                s.orders.length() == 0,
                rx.text(t("ticket.no_orders")),
                rx.vstack(
                    _label("ticket.pick_order", "field-order"),
                    rx.el.select(rx.foreach(s.orders, lambda o: rx.el.option(
                        o.label, value=o.id.to_string())), id="field-order", name="order",
                        class_name="native-select"),
                    _error("order"),
                    rx.button(t("ticket.next"), type="submit", size="3"),
                    spacing="2", align="stretch", width="100%"),
            ),
            spacing="2", align="stretch", width="100%", max_width="32rem"),
        on_submit=s.next, key=s.form_key.to_string(),
    )


def _tracking() -> rx.Component:
    return rx.cond(HelpState.tracking_url != "",
                   rx.link(t("ticket.tracking"), href=HelpState.tracking_url, is_external=True),
                   rx.text(t("ticket.no_tracking")))


def _ticket_link() -> rx.Component:
    return rx.link(t("ticket.open_ticket"),
                   href="/help/ticket?id=" + HelpState.ticket_id.to_string())


def _outcome() -> rx.Component:
    s = HelpState
    return rx.vstack(
        rx.match(
            s.outcome,
            ("show_tracking", rx.vstack(rx.text(t("ticket.late.show_tracking")), _tracking())),
            ("auto_ticket", rx.vstack(rx.callout(t("ticket.late.auto_ticket"), color="blue"),
                                      _tracking(), _ticket_link())),
            ("offer_ticket", rx.cond(
                s.ticket_id > 0,
                rx.vstack(rx.text(t("ticket.late.already")), _ticket_link()),
                rx.form(rx.vstack(
                    rx.text(t("ticket.late.offer_ticket")),
                    _label("ticket.details", "field-details"),
                    rx.text_area(id="field-details", name="details", max_length=2000,
                                 rows="4", aria_describedby="field-details-error",
                                 width="100%"),
                    _error("details"),
                    rx.button(t("ticket.create"), type="submit", size="3"),
                    spacing="2", align="stretch", width="100%"),
                    on_submit=s.create_late, key=s.form_key.to_string()))),
            ("show_details", rx.vstack(
                rx.text(t("ticket.late.show_details")),
                rx.el.ul(rx.foreach(s.items, lambda i: rx.el.li(i))), _tracking())),
            rx.fragment(),
        ),
        rx.button(t("ticket.back"), variant="soft", on_click=s.choose("late")),
        spacing="3", align="start", width="100%", max_width="32rem",
        role="region", aria_live="polite", aria_label=t("ticket.type.order_late"),
    )


@page("/help", HelpState.load)
def help_page() -> rx.Component:
    s = HelpState
    return storefront_page(
        rx.heading(t("help.title"), as_="h1", size="7"),
        rx.cond(
            s.enabled,
            rx.vstack(
                rx.flex(
                    rx.button(t("ticket.type.charged_no_order"), variant="soft",
                              on_click=s.choose("charged")),
                    rx.button(t("ticket.type.order_late"), variant="soft",
                              on_click=s.choose("late")),
                    rx.link(t("help.my_tickets"), href="/help/tickets"),
                    spacing="3", wrap="wrap", align="center"),
                rx.match(
                    s.step,
                    ("charged", _charged()),
                    ("late", _late()),
                    ("outcome", _outcome()),
                    ("created", rx.callout(
                        rx.vstack(rx.text(t("ticket.created_long")), _ticket_link()),
                        color="green", role="status")),
                    rx.text(t("help.choose")),
                ),
                spacing="4", width="100%", margin_top="1rem"),
            rx.callout(t("help.off"), margin_top="1rem"),
        ),
    )


def _ticket_line(r: TicketLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r.title, href="/help/ticket?id=" + r.id.to_string()),
                      rx.cond(r.unread, rx.badge(t("ticket.new_reply"), color_scheme="red",
                                                 margin_inline_start="0.5rem"))),
        rx.table.cell(ticket_badge(r.status, r.status_label)),
        rx.table.cell(r.updated),
    )


@page("/help/tickets", MyTicketsState.load)
def my_tickets_page() -> rx.Component:
    return storefront_page(
        rx.heading(t("help.my_tickets"), as_="h1", size="7"),
        rx.link(t("help.new_ticket"), href="/help"),
        rx.box(
            rx.cond(MyTicketsState.tickets.length() == 0, rx.text(t("ticket.none")),
                    rx.table.root(
                        rx.table.header(rx.table.row(
                            rx.table.column_header_cell(t("ticket.col.ticket")),
                            rx.table.column_header_cell(t("ticket.col.status")),
                            rx.table.column_header_cell(t("ticket.col.updated")))),
                        rx.table.body(rx.foreach(MyTicketsState.tickets, _ticket_line)),
                        width="100%")),
            role="region", aria_live="polite", aria_label=t("help.my_tickets"),
            margin_top="1rem"),
    )


def _rating() -> rx.Component:
    s = TicketState
    return rx.cond(
        ~s.can_rate,
        rx.text(t("ticket.your_rating"), ": ", s.rating, " / 5",
                rx.cond(s.rating_comment != "", rx.text.span(" · ", s.rating_comment))),
        rx.form(
            rx.vstack(
                rx.heading(t("ticket.rate_title"), as_="h2", size="4"),
                rx.el.fieldset(
                    rx.el.legend(t("ticket.stars")),
                    rx.flex(*[rx.el.label(rx.el.input(type="radio", name="stars",
                                                      value=str(n)), f" {n}",
                                          margin_inline_end="0.75rem") for n in range(1, 6)],
                            wrap="wrap"),
                    class_name="plain-fieldset"),
                rx.cond(s.errors.contains("stars"),
                        rx.text(s.errors["stars"], color_scheme="red", size="2", role="alert")),
                rx.el.label(t("ticket.comment"), html_for="field-comment", font_weight="500"),
                rx.text_area(id="field-comment", name="comment", max_length=1000, width="100%"),
                rx.button(t("ticket.submit_rating"), type="submit"),
                spacing="2", align="stretch", max_width="32rem"),
            on_submit=s.rate, key=s.form_key.to_string()),
    )


def _reply() -> rx.Component:
    s = TicketState
    return rx.vstack(
        rx.form(
            rx.vstack(
                rx.el.label(t("ticket.reply_to_merchant"), html_for="field-message",
                            font_weight="500"),
                rx.text_area(id="field-message", name="message", max_length=4000, rows="4",
                             width="100%"),
                rx.cond(s.errors.contains("message"),
                        rx.text(s.errors["message"], color_scheme="red", size="2",
                                role="alert")),
                pending_files(s.pending, s.drop, s.upload, "customer-upload", s.errors),
                rx.flex(rx.button(t("ticket.send_reply"), type="submit"),
                        rx.button(t("ticket.close"), type="button", variant="soft",
                                  color_scheme="gray", on_click=s.close),
                        spacing="3", wrap="wrap"),
                spacing="2", align="stretch", width="100%"),
            on_submit=s.reply, key=s.form_key.to_string(), width="100%"),
        width="100%", max_width="40rem")


@page("/help/ticket", TicketState.load)
def ticket_page() -> rx.Component:
    s = TicketState
    return storefront_page(
        rx.link(t("help.my_tickets"), href="/help/tickets"),
        rx.cond(
            s.missing,
            rx.callout(t("error.not_found"), margin_top="1rem"),
            rx.vstack(
                rx.heading(s.title, as_="h1", size="6"),
                rx.hstack(ticket_badge(s.status, s.status_label),
                          rx.cond(s.tracking_url != "", rx.link(
                              t("ticket.tracking"), href=s.tracking_url, is_external=True)),
                          spacing="3", align="center"),
                history_list(s.entries),
                rx.cond(s.can_reply, _reply(), _rating()),
                spacing="4", width="100%", margin_top="1rem"),
        ),
    )
