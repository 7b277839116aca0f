"""Status badges: one mapping from status to label key and colour for every view."""

from __future__ import annotations

import reflex as rx

BOOKING_COLORS = {"pending": "amber", "confirmed": "green", "cancelled": "gray",
                  "finished": "blue", "declined": "red"}
ORDER_COLORS = {"pending": "amber", "accepted": "blue", "completed": "green",
                "cancelled": "gray", "voided": "red"}
TICKET_COLORS = {"open": "amber", "verifying": "purple", "answered": "blue", "closed": "gray"}
PAYMENT_COLORS = {"pending": "amber", "approved": "green", "void": "gray", "paid": "green",
                  "draft": "gray", "issued": "blue", "none": "gray"}


def badge(status: rx.Var, label: rx.Var, colors: dict[str, str]) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(status, *colors.items(), "gray"),
                    size="2")
