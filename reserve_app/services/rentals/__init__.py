"""Rental use cases: search, book, pay (customer); list, change status, approve (staff); the
admin catalogue (units, menu entries, settings, extra fields) in `catalog`.

Double booking is impossible by construction: a booking runs the availability check and the
insert in one transaction that is serialized per unit type (SQLite: BEGIN IMMEDIATE;
PostgreSQL: an advisory lock), and on PostgreSQL an exclusion constraint on
(unit_id, daterange(start, end, '[)')) for active bookings refuses any overlap that got past.

Modules: search.py (the storefront page and its search), booking.py (the customer's
bookings), staff.py (booking orders for staff), units.py, menu_entries.py and settings.py
(the admin side, gathered in catalog.py). Callers use this package:
`from reserve_app.services import rentals; rentals.place_booking(...)`.
"""

from __future__ import annotations

from reserve_app.services.rentals import catalog
from reserve_app.services.rentals.booking import (
    ORDER,
    BookingView,
    my_bookings,
    pay_booking,
    place_booking,
)
from reserve_app.services.rentals.menu_entries import RENTAL
from reserve_app.services.rentals.search import (
    ACTIVE_SQL,
    ACTIVE_VALUES,
    OfferView,
    RentalPage,
    Summary,
    business_today,
    rental_page,
    search,
    summary,
)
from reserve_app.services.rentals.settings import field_rules, list_fields, load_settings
from reserve_app.services.rentals.staff import (
    PAGE_SIZE,
    OrderDetail,
    OrderRow,
    approve_booking_payment,
    change_status,
    list_orders,
    order_detail,
    record_cash_payment,
    unit_type_choices,
)

__all__ = [
    "ACTIVE_SQL", "ACTIVE_VALUES", "ORDER", "PAGE_SIZE", "RENTAL", "BookingView", "OfferView",
    "OrderDetail", "OrderRow", "RentalPage", "Summary", "approve_booking_payment",
    "business_today", "catalog", "change_status", "field_rules", "list_fields", "list_orders",
    "load_settings", "my_bookings", "order_detail", "pay_booking", "place_booking",
    "record_cash_payment", "rental_page", "search", "summary", "unit_type_choices",
]
