"""Staff "Tickets": the inbox (live), one ticket, and the admin's help settings."""

import reflex as rx

from reserve_app.components.bidi import iso
from reserve_app.components.i18n import t
from reserve_app.components.layout import staff_page
from reserve_app.components.tickets import history_list, pending_files, ticket_badge
from reserve_app.domain.tickets import TicketStatus, TicketType
from reserve_app.pages.registry import page
from reserve_app.presenters.tickets import MatchRow, StatusMove, TicketLine
from reserve_app.state.tickets.staff_tickets import StaffTicketsState, StaffTicketState
from reserve_app.state.tickets.support_admin import SupportAdminState


def _row(r: TicketLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r.title, href="/staff/ticket?id=" + r.id.to_string(),
                              font_weight=rx.cond(r.unread, "700", "400")),
                      rx.cond(r.unread, rx.badge(t("ticket.new_reply"), color_scheme="red",
                                                 margin_inline_start="0.5rem"))),
        rx.table.cell(r.customer),
        rx.table.cell(ticket_badge(r.status, r.status_label)),
        rx.table.cell(r.updated),
    )


def _select(label_key: str, name: str, options: list[tuple[str, str]], value: rx.Var
            ) -> rx.Component:
    return rx.vstack(
        rx.el.label(t(label_key), html_for=f"filter-{name}", font_weight="500"),
        rx.el.select(*[rx.el.option(t(key), value=v) for v, key in options],
                     id=f"filter-{name}", name=name, default_value=value,
                     class_name="native-select"),
        spacing="1")


@page("/staff/tickets", StaffTicketsState.load)
def inbox() -> rx.Component:
    s = StaffTicketsState
    statuses = [("active", "ticket.filter.active"), ("", "ticket.filter.all")] + [
        (st.value, f"ticket.status.{st.value}") for st in TicketStatus]
    kinds = [("", "ticket.filter.all")] + [(k.value, f"ticket.type.{k.value}")
                                           for k in TicketType]
    return staff_page(
        rx.heading(t("ticket.inbox"), as_="h1", size="6"),
        rx.form(rx.flex(_select("ticket.filter.status", "status", statuses, s.status),
                        _select("ticket.filter.type", "kind", kinds, s.kind),
                        rx.button(t("ticket.filter.apply"), type="submit"),
                        spacing="3", align="end", wrap="wrap"),
                on_submit=s.filter, margin_block="1rem"),
        rx.box(
            rx.cond(s.tickets.length() == 0, rx.text(t("ticket.inbox_empty")),
                    rx.table.root(
                        rx.table.header(rx.table.row(
                            rx.table.column_header_cell(t("ticket.col.ticket")),
                            rx.table.column_header_cell(t("ticket.col.customer")),
                            rx.table.column_header_cell(t("ticket.col.status")),
                            rx.table.column_header_cell(t("ticket.col.updated")))),
                        rx.table.body(rx.foreach(s.tickets, _row)), width="100%")),
            role="region", aria_live="polite", aria_label=t("ticket.inbox"),
        ),
    )


def _match(m: MatchRow) -> rx.Component:
    return rx.hstack(rx.text(m.label, size="2"),
                     rx.button(t("ticket.void_payment"), color_scheme="red", variant="soft",
                               size="1", on_click=StaffTicketState.void_payment(m.id)),
                     align="center", wrap="wrap")


def _charge() -> rx.Component:
    s = StaffTicketState
    return rx.cond(
        s.method != "",
        rx.card(rx.vstack(
            rx.heading(t("ticket.charge_details"), as_="h2", size="3"),
            rx.text(t("ticket.method"), ": ", s.method_label,
                    rx.cond(s.last4 != "", rx.text.span(" · ", t("ticket.last4"), ": ",
                                                        iso(s.last4)))),
            rx.heading(t("ticket.matches"), as_="h3", size="2"),
            rx.cond(s.matches.length() == 0, rx.text(t("ticket.no_match"), size="2"),
                    rx.vstack(rx.foreach(s.matches, _match), spacing="1")),
            spacing="2", align="start")),
    )


def _answer() -> rx.Component:
    s = StaffTicketState
    return rx.form(
        rx.vstack(
            rx.el.label(t("ticket.canned"), html_for="field-canned", font_weight="500"),
            rx.el.select(rx.el.option(t("ticket.canned_none"), value=""),
                         rx.foreach(s.canned, lambda c: rx.el.option(c["title"],
                                                                     value=c["id"])),
                         id="field-canned", name="canned", class_name="native-select"),
            rx.el.label(t("ticket.message"), html_for="field-message", font_weight="500"),
            rx.text_area(id="field-message", name="message", max_length=4000, rows="5",
                         width="100%"),
            rx.cond(s.errors.contains("message"),
                    rx.text(s.errors["message"], color_scheme="red", size="2", role="alert")),
            rx.el.label(rx.el.input(type="checkbox", name="internal"), " ",
                        t("ticket.internal"), display="flex", gap="0.5rem"),
            pending_files(s.pending, s.drop, s.upload, "staff-upload", s.errors),
            rx.button(t("ticket.send"), type="submit"),
            spacing="2", align="stretch", width="100%"),
        on_submit=s.reply, key=s.form_key.to_string(), width="100%", max_width="40rem")


def _move(m: StatusMove) -> rx.Component:
    return rx.button(m.label, variant="outline", size="1",
                     on_click=StaffTicketState.set_status(m.status))


def _status_buttons() -> rx.Component:
    s = StaffTicketState
    return rx.flex(
        rx.text(t("ticket.set_status"), ":", font_weight="500"),
        rx.foreach(s.moves, _move),
        spacing="2", wrap="wrap", align="center")


@page("/staff/ticket", StaffTicketState.load)
def ticket() -> rx.Component:
    s = StaffTicketState
    return staff_page(
        rx.link(t("ticket.inbox"), href="/staff/tickets"),
        rx.cond(
            s.missing,
            rx.callout(t("error.not_found"), margin_top="1rem"),
            rx.vstack(
                rx.heading(s.title, as_="h1", size="6"),
                rx.hstack(ticket_badge(s.status, s.status_label),
                          rx.text(iso(s.customer), " · ", iso(s.customer_email), size="2"),
                          spacing="3", align="center", wrap="wrap"),
                rx.cond(s.rating > 0, rx.text(t("ticket.rating_given"), ": ", s.rating,
                                              " / 5")),
                _charge(),
                history_list(s.entries),
                _status_buttons(),
                rx.cond(s.can_reply, _answer()),
                spacing="4", width="100%", margin_top="1rem"),
        ),
    )


def _canned_row(c: rx.Var) -> rx.Component:
    s = SupportAdminState
    return rx.table.row(
        rx.table.cell(c["title"]),
        rx.table.cell(rx.text(c["text"], size="2", white_space="pre-wrap")),
        rx.table.cell(rx.flex(
            rx.button(t("support.canned_edit"), variant="soft", size="1",
                      aria_label=t("support.canned_edit") + ": " + c["title"],
                      on_click=s.edit(c["id"])),
            rx.button(t("support.canned_remove"), variant="soft", color_scheme="red",
                      size="1", aria_label=t("support.canned_remove") + ": " + c["title"],
                      on_click=s.remove(c["id"])),
            spacing="2")),
    )


@page("/staff/support", SupportAdminState.load)
def support_admin() -> rx.Component:
    s = SupportAdminState
    return staff_page(
        rx.heading(t("support.title"), as_="h1", size="6"),
        rx.el.label(rx.el.input(type="checkbox", checked=s.enabled,
                                on_change=s.set_enabled),
                    " ", t("support.enabled"), display="flex", gap="0.5rem",
                    margin_block="1rem"),
        rx.heading(t("support.canned"), as_="h2", size="4"),
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell(t("support.canned_title")),
                rx.table.column_header_cell(t("support.canned_text")),
                rx.table.column_header_cell(rx.text(t("shop.col.actions"),
                                                    class_name="sr-only")))),
            rx.table.body(rx.foreach(s.canned, _canned_row)), width="100%"),
        rx.form(
            rx.vstack(
                rx.heading(rx.cond(s.editing > 0, t("support.canned_edit"),
                                   t("support.canned_new")), as_="h3", size="3"),
                rx.el.label(t("support.canned_title"), html_for="field-title",
                            font_weight="500"),
                rx.input(id="field-title", name="title", default_value=s.edit_title,
                         max_length=100),
                rx.cond(s.errors.contains("title"),
                        rx.text(s.errors["title"], color_scheme="red", size="2", role="alert")),
                rx.el.label(t("support.canned_text"), html_for="field-text",
                            font_weight="500"),
                rx.text_area(id="field-text", name="text", default_value=s.edit_text,
                             max_length=4000, rows="4"),
                rx.cond(s.errors.contains("text"),
                        rx.text(s.errors["text"], color_scheme="red", size="2", role="alert")),
                rx.button(t("support.canned_save"), type="submit"),
                spacing="2", align="stretch", max_width="36rem"),
            on_submit=s.save, key=s.form_key.to_string(), margin_top="1.5rem"),
    )
