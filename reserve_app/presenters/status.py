"""Badge colours: one for every value of every status enum (Radix colour names).

Rows carry a status's colour (`colour_of(status)`), or the badge picks it in the browser from
the value (components/status.py). `tests/unit/test_status_colours.py` checks that every enum
value has one, so a new status cannot show up as an unstyled badge.
"""

from __future__ import annotations

from enum import StrEnum

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


def colour_of(status: StrEnum) -> str:
    return COLOURS[type(status)][status]
