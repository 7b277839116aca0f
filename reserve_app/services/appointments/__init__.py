"""Appointments: services and staff hours (admin), free slots, Book Now / Request to Book
(customer), approve / approve with reschedule / decline / propose a new time (staff), emails
through the outbox.

A staff member's time is guarded like rental units: each use case that checks and writes runs
serialized per staff member (SQLite BEGIN IMMEDIATE; PostgreSQL advisory lock), and the
database refuses overlapping rows that hold a slot (PostgreSQL exclusion constraint on
tstzrange(start_at, end_at, '[)'), SQLite triggers).

The package's public API; the use cases live by group in catalog (services admin), slots
(free times), booking (the customer), decisions (staff calendar and decisions on requests)
and proposals (a new time proposed to the customer); common holds the read model.
"""

from __future__ import annotations

from .booking import book, ics, my_appointments, pay_appointment
from .catalog import (
    ServiceView,
    add_day_off,
    hours_of,
    list_services,
    save_service,
    set_hours,
    staff_choices,
)
from .common import ENTITY, MAX_DAYS_AHEAD, AppointmentView, business_tz
from .decisions import approve, approve_with_reschedule, calendar, decline
from .proposals import proposal_by_token, propose_time, respond_by_token, respond_to_proposal
from .slots import StaffSlots, free_slots, slots_for

__all__ = [
    "ENTITY", "MAX_DAYS_AHEAD", "AppointmentView", "ServiceView", "StaffSlots", "add_day_off",
    "approve", "approve_with_reschedule", "book", "business_tz", "calendar", "decline",
    "free_slots", "hours_of", "ics", "list_services", "my_appointments", "pay_appointment",
    "propose_time", "proposal_by_token", "respond_by_token", "respond_to_proposal",
    "save_service", "set_hours", "slots_for", "staff_choices",
]
