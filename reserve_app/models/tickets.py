"""Help tickets: settings, canned responses, tickets, their history and attachments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from .base import UTCDateTime, utcnow


class SupportSettings(SQLModel, table=True):
    """One row (id 1)."""

    __tablename__ = "support_settings"

    id: int | None = Field(default=None, primary_key=True)
    enabled: bool = Field(default=True)     # "Enable self-service": the help icon


class CannedResponse(SQLModel, table=True):
    __tablename__ = "canned_responses"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=100)
    text: str = Field(max_length=4000)
    active: bool = Field(default=True)


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="users.id", index=True)
    type: str = Field(max_length=24, index=True)
    status: str = Field(default="open", max_length=16, index=True)
    order_id: int | None = Field(default=None, foreign_key="shop_orders.id", index=True)
    method: str = Field(default="", max_length=16)      # charged but no order: how
    last4: str = Field(default="", max_length=4)
    details: str = Field(default="", max_length=2000)
    auto: bool = Field(default=False)                    # created by the late-order rules
    customer_unread: bool = Field(default=False)         # a merchant reply not seen yet
    staff_unread: bool = Field(default=True)             # new, or a customer reply
    rating: int | None = Field(default=None)
    rating_comment: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))


class TicketEntry(SQLModel, table=True):
    """One line of a ticket's history: a message, an internal note, a status change or the
    rating, with its time and author."""

    __tablename__ = "ticket_entries"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    kind: str = Field(max_length=16)
    author_id: int | None = Field(default=None, foreign_key="users.id")
    body: str = Field(default="", max_length=4000)
    old_status: str = Field(default="", max_length=16)
    new_status: str = Field(default="", max_length=16)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                  nullable=False))


class TicketAttachment(SQLModel, table=True):
    """A file stored outside the web root (`ATTACHMENTS_DIR`), served only by an
    auth-checked route. Uploaded first (entry_id empty), then sent with a message."""

    __tablename__ = "ticket_attachments"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="tickets.id", index=True)
    entry_id: int | None = Field(default=None, foreign_key="ticket_entries.id", index=True)
    uploader_id: int = Field(foreign_key="users.id")
    stored_name: str = Field(max_length=64, unique=True)   # random; never from the client
    filename: str = Field(max_length=100)                  # sanitised, for display
    content_type: str = Field(max_length=32)
    size: int
    internal: bool = Field(default=False)                  # sent with a staff note
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(),
                                                                          nullable=False))
