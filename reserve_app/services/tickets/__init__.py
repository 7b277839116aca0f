"""Help tickets: self-service settings, canned responses, tickets, replies, attachments.

Every function takes the caller (`actor`) and checks it: a customer sees and touches only their
own tickets and never an internal note or a file sent with one; staff see all. Each reply
writes the other side's email (outbox) and a live event in the same transaction.

The use cases live by group; this package is their public API
(`from reserve_app.services import tickets; tickets.reply(...)`):

- support: self-service on/off, canned responses;
- opening: "Charged but no order created", "My order is late" (the 48-hour rules);
- reading: the customer's list, one ticket as the caller may see it, likely payments;
- messages: replies, internal notes, the rating;
- staff: the inbox, statuses, voiding a likely payment, an order's fulfilment;
- attachments: uploaded files, taken back, opened for download;
- badges: the help icon's badge, the count of tickets not closed;
- views: the read models they return; common: what they share.
"""

from __future__ import annotations

from .attachments import attach, drop_pending, open_attachment
from .badges import help_badge, open_count, unread_count
from .common import ENTITY, PAGE, STAFF_TICKETS
from .messages import rate, reply
from .opening import (
    LATE_ORDER_STATUSES,
    check_late_order,
    create_charged_ticket,
    create_late_ticket,
    orders_to_ask_about,
)
from .reading import likely_payments, my_tickets, ticket_view
from .staff import inbox, set_fulfilment, set_status, void_payment
from .support import canned, remove_canned, save_canned, save_settings, self_service_enabled
from .views import (
    AttachmentView,
    CannedView,
    EntryView,
    FileToSend,
    LateView,
    OrderChoice,
    PaymentMatch,
    TicketRow,
    TicketView,
)

__all__ = [
    "ENTITY", "LATE_ORDER_STATUSES", "PAGE", "STAFF_TICKETS", "AttachmentView", "CannedView",
    "EntryView", "FileToSend", "LateView", "OrderChoice", "PaymentMatch", "TicketRow",
    "TicketView", "attach", "canned", "check_late_order", "create_charged_ticket",
    "create_late_ticket", "drop_pending", "help_badge", "inbox", "likely_payments",
    "my_tickets", "open_attachment", "open_count", "orders_to_ask_about", "rate",
    "remove_canned", "reply", "save_canned", "save_settings", "self_service_enabled",
    "set_fulfilment", "set_status", "ticket_view", "unread_count", "void_payment",
]
