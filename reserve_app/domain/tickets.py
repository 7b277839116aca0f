"""Help tickets: types, the status table, the "my order is late" rules, ratings, attachments.

Everything here is pure: the clock is passed in, files arrive as their first bytes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .errors import DomainError, InvalidTransition, ValidationFailed

LATE_AFTER = timedelta(hours=48)
MAX_DETAILS = 2000
MAX_MESSAGE = 4000
MAX_COMMENT = 1000
MAX_TITLE = 100
MAX_URL = 500
MAX_FILE_BYTES = 5 * 1024 * 1024       # one attachment
MAX_FILES_PER_MESSAGE = 3
MATCH_WINDOW = timedelta(days=30)      # "charged but no order": payments this recent


class TicketType(StrEnum):
    CHARGED_NO_ORDER = "charged_no_order"   # "Charged but no order created"
    ORDER_LATE = "order_late"               # "My order is late"


class TicketStatus(StrEnum):
    OPEN = "open"                       # waiting for the merchant
    VERIFYING = "verifying"             # "Under merchant verification"
    ANSWERED = "answered"               # the merchant replied; waiting for the customer
    CLOSED = "closed"


ALLOWED: dict[TicketStatus, frozenset[TicketStatus]] = {
    TicketStatus.OPEN: frozenset({TicketStatus.VERIFYING, TicketStatus.ANSWERED,
                                  TicketStatus.CLOSED}),
    TicketStatus.VERIFYING: frozenset({TicketStatus.OPEN, TicketStatus.ANSWERED,
                                       TicketStatus.CLOSED}),
    TicketStatus.ANSWERED: frozenset({TicketStatus.OPEN, TicketStatus.VERIFYING,
                                      TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset({TicketStatus.OPEN}),    # staff may reopen
}


def parse_status(value: object) -> TicketStatus:
    if isinstance(value, str):
        try:
            return TicketStatus(value)
        except ValueError:
            pass
    raise ValidationFailed({"status": "field.choice_invalid"})


def parse_type(value: object) -> TicketType:
    if isinstance(value, str):
        try:
            return TicketType(value)
        except ValueError:
            pass
    raise ValidationFailed({"type": "field.choice_invalid"})


def transition(current: TicketStatus, new: TicketStatus) -> TicketStatus:
    if new not in ALLOWED[current]:
        raise InvalidTransition(current, new)
    return new


def actions_for(status: TicketStatus, *, staff: bool) -> list[TicketStatus]:
    """The statuses the viewer may move a ticket to, in the enum's order: staff along the
    status table (a closed ticket may only be reopened); a customer may only close their
    own ticket while it is not closed."""
    allowed = ALLOWED[status]
    return [s for s in TicketStatus if s in allowed and (staff or s is TicketStatus.CLOSED)]


def can_reply(status: TicketStatus) -> bool:
    """A message, an internal note or a file goes on any ticket that is not closed."""
    return status is not TicketStatus.CLOSED


def can_rate(status: TicketStatus, already_rated: bool) -> bool:
    """The customer's rating: once the ticket is closed, and only once."""
    return status is TicketStatus.CLOSED and not already_rated


def after_staff_reply(current: TicketStatus) -> TicketStatus:
    """A merchant's reply to a waiting ticket answers it; verification goes on until staff
    change the status themselves."""
    if not can_reply(current):
        raise DomainError("ticket.closed")
    return TicketStatus.ANSWERED if current is TicketStatus.OPEN else current


def after_customer_reply(current: TicketStatus) -> TicketStatus:
    """A customer's reply puts an answered ticket back to the merchant; a closed one takes
    no replies."""
    if not can_reply(current):
        raise DomainError("ticket.closed")
    return TicketStatus.OPEN if current is TicketStatus.ANSWERED else current


class EntryKind(StrEnum):
    MESSAGE = "message"     # seen by both sides
    NOTE = "note"           # internal: staff only
    STATUS = "status"       # a status change
    RATING = "rating"


class Fulfilment(StrEnum):
    """Where an order is on its way to the customer (set by staff, used by the rules)."""

    AWAITING_REVIEW = "awaiting_review"
    FULFILLED = "fulfilled"
    SHIPPING = "shipping"
    DELIVERED = "delivered"


def parse_fulfilment(value: object) -> Fulfilment:
    if isinstance(value, str):
        try:
            return Fulfilment(value)
        except ValueError:
            pass
    raise ValidationFailed({"fulfilment": "field.choice_invalid"})


class LateOutcome(StrEnum):
    SHOW_TRACKING = "show_tracking"       # under 48 h: the tracking link, no ticket
    AUTO_TICKET = "auto_ticket"           # over 48 h, fulfilled or shipping: ticket + link
    OFFER_TICKET = "offer_ticket"         # over 48 h, awaiting review: may create a ticket
    SHOW_DETAILS = "show_details"         # delivered: the order's details


def late_order_outcome(placed_at: datetime, fulfilment: Fulfilment, now: datetime
                       ) -> LateOutcome:
    """What "My order is late" does for an order. "Over 48 h" starts at exactly 48 hours
    after the order was placed (47:59:59 is still under)."""
    if fulfilment is Fulfilment.DELIVERED:
        return LateOutcome.SHOW_DETAILS
    if now - placed_at < LATE_AFTER:
        return LateOutcome.SHOW_TRACKING
    if fulfilment is Fulfilment.AWAITING_REVIEW:
        return LateOutcome.OFFER_TICKET
    return LateOutcome.AUTO_TICKET


class ChargeMethod(StrEnum):
    """How the customer says they were charged ("Charged but no order created")."""

    CARD = "card"
    ONLINE = "online"
    CASH = "cash"


NEEDS_LAST4 = frozenset({ChargeMethod.CARD, ChargeMethod.ONLINE})
_LAST4 = re.compile(r"[0-9]{4}", re.ASCII)


def parse_charge_method(value: object) -> ChargeMethod:
    if isinstance(value, str):
        try:
            return ChargeMethod(value)
        except ValueError:
            pass
    raise ValidationFailed({"method": "ticket.method_invalid"})


def parse_last4(value: object, method: ChargeMethod) -> str:
    """Exactly four ASCII digits for a card or online payment; nothing for cash."""
    text = value.strip() if isinstance(value, str) else ""
    if method not in NEEDS_LAST4:
        if text:
            raise ValidationFailed({"last4": "ticket.last4_not_for_method"})
        return ""
    if not _LAST4.fullmatch(text):
        raise ValidationFailed({"last4": "ticket.last4_invalid"})
    return text


def parse_text(value: object, *, field: str, limit: int, required: bool = True) -> str:
    """A free text (details, a message, a comment): trimmed, within `limit`, no control
    characters other than line breaks and tabs."""
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationFailed({field: "field.required"})
    if len(text) > limit:
        raise ValidationFailed({field: "field.too_long"})
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t\r" for c in text):
        raise ValidationFailed({field: "field.invalid"})
    return text.replace("\r\n", "\n")


def parse_rating(stars: object, comment: object) -> tuple[int, str]:
    if isinstance(stars, bool) or not isinstance(stars, int | str):
        raise ValidationFailed({"stars": "ticket.stars_invalid"})
    text = str(stars).strip()
    if not re.fullmatch(r"[1-5]", text, re.ASCII):
        raise ValidationFailed({"stars": "ticket.stars_invalid"})
    return int(text), parse_text(comment, field="comment", limit=MAX_COMMENT, required=False)


def check_can_rate(status: TicketStatus, already_rated: bool) -> None:
    """A rating only once the ticket is closed, and only once."""
    if status is not TicketStatus.CLOSED:
        raise DomainError("ticket.rate_when_closed")
    if already_rated:
        raise DomainError("ticket.already_rated")


def parse_tracking_url(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return ""
    if len(text) > MAX_URL or not re.fullmatch(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+",
                                               text, re.ASCII):
        raise ValidationFailed({"tracking_url": "ticket.tracking_url_invalid"})
    return text


# ---- attachments -------------------------------------------------------------------------

@dataclass(frozen=True)
class FileKind:
    mime: str
    extension: str


ALLOWED_FILES = {
    "image/png": FileKind("image/png", "png"),
    "image/jpeg": FileKind("image/jpeg", "jpg"),
    "application/pdf": FileKind("application/pdf", "pdf"),
}


def sniff(head: bytes) -> FileKind:
    """The file's type from its first bytes (its name and the browser's claim are ignored):
    PNG, JPEG or PDF only."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ALLOWED_FILES["image/png"]
    if head.startswith(b"\xff\xd8\xff"):
        return ALLOWED_FILES["image/jpeg"]
    if head.startswith(b"%PDF-"):
        return ALLOWED_FILES["application/pdf"]
    raise ValidationFailed({"file": "ticket.file_type"})


_UNSAFE = re.compile(r"[^\w.\- ]+")


def safe_filename(name: object, kind: FileKind) -> str:
    """A name to show and to offer on download: no directories, no control or shell
    characters, at most 80 characters, always ending in the sniffed type's extension."""
    raw = name if isinstance(name, str) else ""
    base = re.split(r"[\\/]", raw)[-1]
    base = unicodedata.normalize("NFKC", base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:70] or "attachment"
    return f"{stem}.{kind.extension}"


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise ValidationFailed({"file": "ticket.file_too_big"})
    if size == 0:
        raise ValidationFailed({"file": "ticket.file_empty"})
