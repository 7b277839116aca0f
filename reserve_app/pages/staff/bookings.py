"""Staff "Booking orders" list and the booking order page."""

import reflex as rx

from reserve_app.components.bidi import iso
from reserve_app.components.i18n import t
from reserve_app.components.layout import field, staff_page, table
from reserve_app.components.status import BOOKING_COLORS, PAYMENT_COLORS, badge
from reserve_app.domain.rentals import BookingStatus
from reserve_app.pages.registry import page
from reserve_app.presenters.rentals import Line, PaymentLine
from reserve_app.state.kit.session import SessionState
from reserve_app.state.rentals.staff_order import StaffBookingState
from reserve_app.state.rentals.staff_orders import OrderLine, StaffBookingsState


def _row(o: OrderLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(iso(o.id), href="/staff/bookings/view?id=" + o.id.to_string(),
                              aria_label=t("booking.open") + " " + o.id.to_string())),
        rx.table.cell(iso(o.customer)),
        rx.table.cell(iso(o.unit_type), " · ", iso(o.unit)),
        rx.table.cell(iso(o.start), " – ", iso(o.end)),
        rx.table.cell(badge(o.status, o.status_label, BOOKING_COLORS)),
        rx.table.cell(iso(o.total)),
    )


def _filters() -> rx.Component:
    s = StaffBookingsState
    return rx.form(
        rx.flex(
            rx.vstack(
                rx.el.label(t("booking.col.status"), html_for="filter-status", font_weight="500"),
                rx.el.select(rx.el.option(t("filter.all"), value=""),
                             *[rx.el.option(t(f"booking.status.{st.value}"), value=st.value)
                               for st in BookingStatus],
                             id="filter-status", name="status", default_value=s.status,
                             class_name="native-select"),
                spacing="1"),
            rx.vstack(
                rx.el.label(t("booking.col.unit_type"), html_for="filter-type",
                            font_weight="500"),
                rx.el.select(rx.el.option(t("filter.all"), value=""),
                             rx.foreach(s.unit_types,
                                        lambda c: rx.el.option(c.label, value=c.value)),
                             id="filter-type", name="unit_type", default_value=s.unit_type,
                             class_name="native-select"),
                spacing="1"),
            rx.box(field("filter.from", "start", type="date", default_value=s.start)),
            rx.box(field("filter.until", "end", type="date", default_value=s.end)),
            rx.button(t("filter.apply"), type="submit"),
            spacing="3", align="end", wrap="wrap",
        ),
        on_submit=StaffBookingsState.apply,
    )


@page("/staff/bookings", StaffBookingsState.load)
def bookings() -> rx.Component:
    s = StaffBookingsState
    return staff_page(
        rx.heading(t("staff.nav.bookings"), as_="h1", size="7"),
        _filters(),
        rx.text(t("filter.found"), " ", iso(s.total), margin_block="0.75rem"),
        table(["booking.col.number", "booking.col.customer", "booking.col.unit_type",
               "booking.col.period", "booking.col.status", "price.total"], s.rows, _row),
        rx.hstack(
            rx.button(t("pager.previous"), disabled=s.page <= 1, on_click=s.go(s.page - 1)),
            rx.text(iso(s.page, " / ", s.pages)),
            rx.button(t("pager.next"), disabled=s.page >= s.pages, on_click=s.go(s.page + 1)),
            align="center", spacing="3", margin_top="1rem",
        ),
    )


def _lines(items: rx.Var) -> rx.Component:
    return rx.data_list.root(rx.foreach(items, lambda x: rx.data_list.item(
        rx.data_list.label(x.label), rx.data_list.value(x.value))))


def _payment(p: PaymentLine) -> rx.Component:
    return rx.hstack(
        rx.text(p.provider_label, " · ", iso(p.amount)),
        badge(p.status, p.label, PAYMENT_COLORS),
        rx.cond(SessionState.is_admin & p.can_approve,
                rx.button(t("payment.approve"), on_click=StaffBookingState.approve(p.id))),
        align="center", spacing="3",
    )


def _history(h: Line) -> rx.Component:
    return rx.el.li(rx.text(h.label, size="1", color_scheme="gray"), rx.text(h.value))


@page("/staff/bookings/view", StaffBookingState.load)
def booking() -> rx.Component:
    s = StaffBookingState
    b = s.booking
    return staff_page(
        rx.link(t("booking.back_to_list"), href="/staff/bookings"),
        rx.cond(
            b,
            rx.vstack(
                rx.heading(t("booking.order"), " ", iso(b.id), as_="h1", size="7"),
                rx.hstack(badge(b.status, b.status_label, BOOKING_COLORS), rx.text(iso(b.total))),
                rx.text(iso(s.customer)),
                rx.text(iso(b.unit_type), " · ", iso(b.unit), " · ", iso(b.start), " – ",
                        iso(b.end)),
                rx.heading(t("booking.answers"), as_="h2", size="4"),
                rx.cond(s.answers.length() > 0, _lines(s.answers), rx.text("—")),
                rx.heading(t("booking.invoice"), as_="h2", size="4"),
                rx.cond(s.invoice.length() > 0, _lines(s.invoice), rx.text(t("invoice.none"))),
                rx.foreach(s.payments, _payment),
                rx.cond(SessionState.is_admin & s.payable,
                        rx.button(t("payment.paid_in_cash"), variant="soft",
                                  on_click=s.paid_in_cash)),
                rx.heading(t("booking.change_status"), as_="h2", size="4"),
                rx.form(
                    rx.flex(
                        rx.vstack(
                            rx.el.label(t("booking.new_status"), html_for="field-status",
                                        font_weight="500"),
                            rx.el.select(rx.foreach(s.next_statuses, lambda c: rx.el.option(
                                c.label, value=c.value)), id="field-status", name="status",
                                class_name="native-select"),
                            spacing="1"),
                        rx.box(field("booking.note", "note", max_length=1000),
                               min_width="14rem"),
                        rx.button(t("booking.change_status"), type="submit"),
                        spacing="3", align="end", wrap="wrap",
                    ),
                    on_submit=StaffBookingState.change_status, key=b.status,
                ),
                rx.heading(t("booking.history"), as_="h2", size="4"),
                rx.el.ul(rx.foreach(s.history, _history)),
                spacing="3", align="start", margin_top="1rem",
            ),
        ),
    )
