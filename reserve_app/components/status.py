"""Status badges: the label comes translated in the row (`status_label`); the colour is
chosen in the browser from the row's status value, by a mapping per view built from the
palette in presenters/status.py (a colour for every value of every status enum)."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.appointments import AppointmentStatus
from reserve_app.domain.billing import InvoiceStatus, PaymentStatus
from reserve_app.domain.outbox import MessageStatus
from reserve_app.domain.rentals import BookingStatus
from reserve_app.domain.shop import OrderStatus
from reserve_app.domain.tickets import TicketStatus
from reserve_app.domain.vouchers import ReservationStatus
from reserve_app.presenters.status import COLOURS, colours

__all__ = ["COLOURS", "OrderStatus", "badge", "colours"]

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
