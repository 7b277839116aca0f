"""Storefront rentals: search a period, book a unit type, my bookings."""

import reflex as rx

from reserve_app.components.bidi import iso
from reserve_app.components.i18n import t
from reserve_app.components.layout import field, storefront_page
from reserve_app.components.status import BOOKING_COLORS, PAYMENT_COLORS, badge
from reserve_app.pages.registry import page
from reserve_app.pages.storefront.appointments import my_appointments_section
from reserve_app.presenters.rentals import BookingRow
from reserve_app.state.appointments.my_appointments import MyAppointmentsState
from reserve_app.state.rentals.booking import FormField, RentalBookingState
from reserve_app.state.rentals.my_bookings import MyBookingsState
from reserve_app.state.rentals.search import Offer, RentalSearchState


def _price_lines(days, per_day, subtotal, tax_rate, tax, total) -> rx.Component:  # noqa: ANN001
    return rx.data_list.root(
        rx.data_list.item(rx.data_list.label(t("price.per_day")), rx.data_list.value(per_day)),
        rx.data_list.item(rx.data_list.label(t("price.days")), rx.data_list.value(days)),
        rx.data_list.item(rx.data_list.label(t("price.subtotal")), rx.data_list.value(subtotal)),
        rx.data_list.item(rx.data_list.label(rx.text(t("price.tax"), " ",
                                                     iso("(", tax_rate, "%)"))),
                          rx.data_list.value(tax)),
        rx.data_list.item(rx.data_list.label(t("price.total")),
                          rx.data_list.value(rx.text(total, weight="bold"))),
        size="2",
    )


def _offer(o: Offer) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.cond(o.photo_url != "", rx.image(src=o.photo_url, alt=o.name, width="10rem",
                                                height="7rem", object_fit="cover")),
            rx.vstack(
                rx.heading(iso(o.name), as_="h2", size="5"),
                rx.text(o.description, color_scheme="gray"),
                _price_lines(o.days, o.price_per_day, o.subtotal, o.tax_rate, o.tax, o.total),
                rx.link(rx.button(t("rental.book"), aria_label=t("rental.book") + " " + o.name),
                        href=o.book_url),
                spacing="2", align="start",
            ),
            spacing="4", wrap="wrap",
        ),
        width="100%",
    )


@page("/rent", RentalSearchState.load)
def rent() -> rx.Component:
    s = RentalSearchState
    return storefront_page(
        rx.heading(rx.cond(s.title != "", s.title, t("rental.title")), as_="h1", size="7"),
        rx.cond(
            s.available,
            rx.vstack(
                rx.form(
                    rx.flex(
                        rx.box(field("rental.start", "start", errors=s.errors, type="date",
                                     default_value=s.start, required=True), min_width="12rem"),
                        rx.box(field("rental.end", "end", errors=s.errors, type="date",
                                     default_value=s.end, required=True), min_width="12rem"),
                        rx.button(t("rental.search"), type="submit"),
                        spacing="3", align="end", wrap="wrap",
                    ),
                    on_submit=RentalSearchState.search,
                ),
                rx.text(t("rental.period_rule"), size="2", color_scheme="gray"),
                rx.cond(s.searched, rx.heading(t("rental.results"), " ", s.period_label,
                                               as_="h2", size="4")),
                rx.cond(s.searched & (s.offers.length() == 0),
                        rx.callout(t("rental.none_free"), role="status")),
                rx.foreach(s.offers, _offer),
                spacing="4", width="100%", margin_top="1rem",
            ),
            rx.callout(t("rental.booking_disabled"), margin_top="1rem"),
        ),
    )


def _extra(f: FormField) -> rx.Component:
    input_id = "field-" + f.name
    label = rx.el.label(f.label, rx.cond(f.required, " *", ""), html_for=input_id,
                        font_weight="500")
    control = rx.match(
        f.kind,
        ("choice", rx.el.select(rx.el.option("—", value=""),
                                rx.foreach(f.choices, lambda c: rx.el.option(c, value=c)),
                                id=input_id, name=f.name, required=f.required,
                                class_name="native-select")),
        ("number", rx.input(id=input_id, name=f.name, type="number", step="any",
                            required=f.required)),
        ("date", rx.input(id=input_id, name=f.name, type="date", required=f.required)),
        rx.input(id=input_id, name=f.name, required=f.required, max_length=500),
    )
    return rx.vstack(label, control,
                     rx.cond(RentalBookingState.errors.contains(f.name),
                             rx.text(RentalBookingState.errors[f.name], color_scheme="red",
                                     size="2", role="alert")),
                     spacing="1", width="100%", align="stretch")


@page("/rent/book", RentalBookingState.load)
def book() -> rx.Component:
    s = RentalBookingState
    return storefront_page(
        rx.heading(t("rental.summary"), as_="h1", size="7"),
        rx.cond(
            s.ready,
            rx.vstack(
                rx.heading(iso(s.unit_type), as_="h2", size="5"),
                rx.text(t("rental.from"), " ", iso(s.start_label), " ", t("rental.to"), " ",
                        iso(s.end_label)),
                _price_lines(s.days, s.price_per_day, s.subtotal, s.tax_rate, s.tax, s.total),
                rx.cond(
                    s.logged_in,
                    rx.form(
                        rx.vstack(rx.foreach(s.fields, _extra),
                                  rx.button(t("rental.confirm"), type="submit"),
                                  spacing="3", width="100%", max_width="26rem"),
                        on_submit=RentalBookingState.confirm,
                    ),
                    rx.callout(rx.text(t("rental.login_first"), " ",
                                       rx.link(t("nav.login"), href=s.login_url), " · ",
                                       rx.link(t("nav.register"), href=s.register_url))),
                ),
                rx.link(t("rental.back"), href=s.back_url),
                spacing="4", align="start", margin_top="1rem",
            ),
            rx.link(t("rental.back"), href=s.back_url),
        ),
    )


def _booking(b: BookingRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(iso(b.id)),
        rx.table.cell(iso(b.unit_type)),
        rx.table.cell(iso(b.start), " – ", iso(b.end)),
        rx.table.cell(badge(b.status, b.status_label, BOOKING_COLORS)),
        rx.table.cell(iso(b.total)),
        rx.table.cell(badge(b.payment_status, b.payment_label, PAYMENT_COLORS)),
        rx.table.cell(rx.cond(b.payable, rx.button(
            t("booking.pay"), on_click=MyBookingsState.pay(b.id),
            aria_label=t("booking.pay") + " " + b.id.to_string()))),
    )


@page("/bookings", MyBookingsState.load, MyAppointmentsState.load)
def my_bookings() -> rx.Component:
    s = MyBookingsState
    return storefront_page(
        rx.heading(t("booking.mine"), as_="h1", size="7"),
        rx.cond(s.notice != "", rx.callout(s.notice, color_scheme="green", role="status",
                                           margin_top="1rem")),
        rx.cond(
            s.rows.length() == 0,
            rx.text(t("booking.none"), margin_top="1rem"),
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(
                    *[rx.table.column_header_cell(t(k) if k else "") for k in (
                        "booking.col.number", "booking.col.unit_type", "booking.col.period",
                        "booking.col.status", "price.total", "booking.col.payment", "")]
                )),
                rx.table.body(rx.foreach(s.rows, _booking)),
                width="100%"), overflow_x="auto", margin_top="1rem"),
        ),
        my_appointments_section(),
    )
