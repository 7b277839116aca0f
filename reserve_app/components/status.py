"""Status badges: a colour for every value of every status enum, one mapping per view.

The label comes translated in the row (`status_label`); the colour is chosen here, in the
browser, from the row's status value. `tests/unit/test_status_colours.py` checks that every
enum value has a colour, so a new status cannot show up as an unstyled badge.
"""

from __future__ import annotations

from enum import StrEnum

import reflex as rx

from reserve_app.domain.appointments import AppointmentStatus
from reserve_app.domain.billing import InvoiceStatus, PaymentStatus
from reserve_app.domain.outbox import MessageStatus
from reserve_app.domain.rentals import BookingStatus
from reserve_app.domain.shop import OrderStatus
from reserve_app.domain.tickets import TicketStatus
from reserve_app.domain.vouchers import ReservationStatus

# Radix colour names. Waiting: amber; under way: blue/purple; done well: green;
# ended without effect: gray; refused or reversed: red.
COLOURS: dict[type[StrEnum], dict[StrEnum, str]] = {
    BookingStatus: {BookingStatus.PENDING: "amber", BookingStatus.CONFIRMED: "green",
                    BookingStatus.CANCELLED: "gray", BookingStatus.FINISHED: "blue"},
    AppointmentStatus: {AppointmentStatus.PENDING: "amber",
                        AppointmentStatus.CONFIRMED: "green",
                        AppointmentStatus.DECLINED: "red",
                        AppointmentStatus.CANCELLED: "gray"},
    OrderStatus: {OrderStatus.PENDING: "amber", OrderStatus.ACCEPTED: "blue",
                  OrderStatus.COMPLETED: "green", OrderStatus.CANCELLED: "gray",
                  OrderStatus.VOIDED: "red"},
    TicketStatus: {TicketStatus.OPEN: "amber", TicketStatus.VERIFYING: "purple",
                   TicketStatus.ANSWERED: "blue", TicketStatus.CLOSED: "gray"},
    PaymentStatus: {PaymentStatus.PENDING: "amber", PaymentStatus.AUTHORISED: "blue",
                    PaymentStatus.APPROVED: "green", PaymentStatus.VOID: "gray",
                    PaymentStatus.REFUNDED: "red"},
    InvoiceStatus: {InvoiceStatus.DRAFT: "gray", InvoiceStatus.ISSUED: "blue",
                    InvoiceStatus.PAID: "green", InvoiceStatus.VOID: "gray"},
    MessageStatus: {MessageStatus.PENDING: "amber", MessageStatus.SENT: "green",
                    MessageStatus.FAILED: "red"},
    ReservationStatus: {ReservationStatus.ACTIVE: "green", ReservationStatus.CANCELLED: "gray"},
}


def colours(*enums: type[StrEnum]) -> dict[str, str]:
    """Value -> colour for a view that shows values of these enums (the first one wins
    where two share a value)."""
    out: dict[str, str] = {}
    for enum in reversed(enums):
        out.update({member.value: colour for member, colour in COLOURS[enum].items()})
    return out


BOOKING_COLORS = colours(BookingStatus, AppointmentStatus)
ORDER_COLORS = colours(OrderStatus)
TICKET_COLORS = colours(TicketStatus)
# A row's payment column shows its payment's status, else its invoice's, else "none".
PAYMENT_COLORS = {**colours(PaymentStatus, InvoiceStatus), "none": "gray"}
MESSAGE_COLORS = colours(MessageStatus)
RESERVATION_COLORS = colours(ReservationStatus)


def badge(status: rx.Var, label: rx.Var, colors: dict[str, str]) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(status, *colors.items(), "gray"),
                    size="2")
