"""What the ticket use cases return: small read models, only what the caller may see, and
what the ticket allows them (`can_reply`, `can_rate`, `moves`), decided by the domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from reserve_app.domain.tickets import TicketStatus


@dataclass(frozen=True)
class AttachmentView:
    id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class EntryView:
    id: int
    kind: str
    author: str
    author_is_staff: bool
    body: str
    old_status: str
    new_status: str
    at: datetime
    attachments: list[AttachmentView]


@dataclass(frozen=True)
class PaymentMatch:
    id: int
    amount: Decimal
    currency: str
    method: str
    last4: str
    status: str
    created_at: datetime
    invoice_number: str


@dataclass(frozen=True)
class TicketView:
    id: int
    customer_id: int
    customer: str
    customer_email: str
    type: str
    status: str
    order_id: int | None
    method: str
    last4: str
    details: str
    auto: bool
    rating: int | None
    rating_comment: str
    created_at: datetime
    updated_at: datetime
    unread: bool                    # for the one asking
    entries: list[EntryView]        # only what the caller may see
    pending: list[AttachmentView]   # the caller's files not sent yet
    tracking_url: str
    match: list[PaymentMatch]       # staff, "charged but no order": likely payments
    can_reply: bool                 # a message, a note or a file may go on it
    can_rate: bool                  # the customer may rate it now
    moves: list[TicketStatus]       # the statuses the caller may set, in the enum's order


@dataclass(frozen=True)
class TicketRow:
    id: int
    customer: str
    type: str
    status: str
    order_id: int | None
    updated_at: datetime
    unread: bool


@dataclass(frozen=True)
class CannedView:
    id: int
    title: str
    text: str


@dataclass(frozen=True)
class OrderChoice:
    id: int
    created_at: datetime
    total: Decimal
    currency: str
    status: str
    fulfilment: str


@dataclass(frozen=True)
class LateView:
    outcome: str
    order: OrderChoice
    tracking_url: str
    ticket_id: int            # the order's open ticket (made now, or earlier), else 0
    items: list[tuple[str, int]]


@dataclass(frozen=True)
class FileToSend:
    path: Path
    filename: str
    content_type: str
