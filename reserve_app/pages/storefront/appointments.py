"""Storefront appointments: services list and the booking page of one service."""

import reflex as rx

from reserve_app.components.i18n import t
from reserve_app.components.layout import field, storefront_page
from reserve_app.components.status import BOOKING_COLORS, PAYMENT_COLORS, badge
from reserve_app.pages.registry import page
from reserve_app.presenters.appointments import AppointmentRow, ServiceCard, TimeChoice
from reserve_app.state.appointments.booking import ServiceBookingState
from reserve_app.state.appointments.my_appointments import MyAppointmentsState
from reserve_app.state.appointments.proposal import ProposalState


def _action_label(requires_approval: rx.Var) -> rx.Var:
    return rx.cond(requires_approval, t("appointment.request"), t("appointment.book_now"))


def _service(s: ServiceCard) -> rx.Component:
    return rx.card(rx.hstack(
        rx.vstack(rx.heading(s.name, as_="h2", size="4"),
                  rx.text(s.minutes, " ", t("appointment.minutes"), " · ", s.price),
                  spacing="1"),
        rx.spacer(),
        rx.link(rx.button(_action_label(s.requires_approval),
                          aria_label=_action_label(s.requires_approval) + " " + s.name),
                href="/services/book?service=" + s.id.to_string()),
        align="center", width="100%"), width="100%")


@page("/services", ServiceBookingState.load_list)
def services() -> rx.Component:
    return storefront_page(
        rx.heading(t("appointment.services"), as_="h1", size="7"),
        rx.vstack(rx.foreach(ServiceBookingState.services, _service), spacing="3",
                  margin_top="1rem", width="100%"),
    )


def _time(choice: TimeChoice, index: rx.Var) -> rx.Component:
    chosen = ServiceBookingState.chosen
    selected = chosen & (chosen.start == choice.start) & (chosen.staff_id == choice.staff_id)
    return rx.button(choice.label, " · ", choice.staff_name,
                     variant=rx.cond(selected, "solid", "outline"),
                     aria_pressed=rx.cond(selected, "true", "false"),
                     on_click=ServiceBookingState.choose(index))


@page("/services/book", ServiceBookingState.load)
def service_booking() -> rx.Component:
    s = ServiceBookingState
    svc = s.service
    return storefront_page(
        rx.cond(
            svc,
            rx.vstack(
                rx.heading(svc.name, as_="h1", size="7"),
                rx.text(svc.minutes, " ", t("appointment.minutes"), " · ", svc.price),
                rx.cond(svc.requires_approval, rx.callout(t("appointment.needs_approval"))),
                rx.form(rx.flex(
                    rx.box(field("appointment.day", "day", errors=s.errors, type="date",
                                 required=True), min_width="12rem"),
                    rx.button(t("appointment.show_times"), type="submit"),
                    spacing="3", align="end", wrap="wrap"), on_submit=s.show_times),
                rx.cond(s.searched & (s.times.length() == 0),
                        rx.callout(t("appointment.no_times"), role="status")),
                rx.cond(s.times.length() > 0, rx.heading(t("appointment.free_times"), as_="h2",
                                                         size="4")),
                rx.flex(rx.foreach(s.times, _time), spacing="2", wrap="wrap",
                        role="group", aria_label=t("appointment.free_times")),
                rx.cond(s.chosen, rx.cond(
                    s.logged_in,
                    rx.button(_action_label(svc.requires_approval), on_click=s.confirm,
                              size="3"),
                    rx.callout(rx.text(t("appointment.login_first"), " ",
                                       rx.link(t("nav.login"), href=s.login_url))),
                )),
                spacing="3", align="start",
            ),
            rx.link(t("appointment.services"), href="/services"),
        ),
    )


def _row(a: AppointmentRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(a.service), rx.table.cell(a.staff),
        rx.table.cell(a.when, rx.cond(a.proposed != "", rx.vstack(
            rx.text(t("appointment.proposed"), ": ", a.proposed, color_scheme="amber"),
            rx.hstack(rx.button(t("appointment.accept"), size="1",
                                on_click=MyAppointmentsState.respond(a.id, True)),
                      rx.button(t("appointment.reject"), size="1", variant="soft",
                                on_click=MyAppointmentsState.respond(a.id, False))),
            spacing="1"))),
        rx.table.cell(badge(a.status, a.status_label, BOOKING_COLORS)),
        rx.table.cell(a.price),
        rx.table.cell(rx.cond(a.in_calendar, rx.link(
            t("appointment.add_to_calendar"),
            href="/api/appointments/" + a.id.to_string() + ".ics", is_external=True))),
        rx.table.cell(rx.cond(a.payable, rx.button(t("booking.pay"),
                                                   on_click=MyAppointmentsState.pay(a.id)),
                              rx.cond(a.payment_status != "",
                                      badge(a.payment_status, a.payment_label,
                                            PAYMENT_COLORS)))),
    )


def my_appointments_section() -> rx.Component:
    return rx.vstack(
        rx.heading(t("appointment.mine"), as_="h2", size="5"),
        rx.cond(MyAppointmentsState.rows.length() == 0, rx.text(t("appointment.none")),
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(
                        t(k) if k else "") for k in ("appointment.service", "appointment.staff",
                                                     "appointment.when", "booking.col.status",
                                                     "price.total", "", "")])),
                    rx.table.body(rx.foreach(MyAppointmentsState.rows, _row)), width="100%"),
                    overflow_x="auto", width="100%")),
        spacing="2", margin_top="2rem", width="100%",
    )


@page("/proposal", ProposalState.load)
def proposal() -> rx.Component:
    s = ProposalState
    return storefront_page(
        rx.heading(t("appointment.proposal_title"), as_="h1", size="7"),
        rx.cond(
            s.done != "",
            rx.callout(s.done, role="status", margin_top="1rem"),
            rx.cond(
                s.service != "",
                rx.vstack(
                    rx.text(s.service, weight="bold"),
                    rx.text(t("appointment.proposed"), ": ", s.when),
                    rx.hstack(rx.button(t("appointment.accept"), on_click=s.respond(True)),
                              rx.button(t("appointment.reject"), variant="soft",
                                        on_click=s.respond(False))),
                    spacing="3", margin_top="1rem", align="start"),
                rx.callout(t("appointment.proposal_gone"), margin_top="1rem"),
            ),
        ),
    )
