"""Display rows for tickets (locale-aware), shared by the customer's and the staff's states."""

from dataclasses import dataclass

from reserve_app.i18n import fmt_datetime, fmt_money, translate, translate_isolated
from reserve_app.services.tickets import (
    AttachmentView,
    EntryView,
    OrderChoice,
    PaymentMatch,
    TicketRow,
    TicketView,
)


@dataclass
class FileRow:
    id: int
    name: str
    url: str
    size: str


@dataclass
class HistoryRow:
    id: int
    kind: str           # message, note, status, rating
    author: str
    by_staff: bool
    text: str           # the message, note or rating comment (shown as plain text)
    event: str          # "Status: Open → Answered", "Rated 4 of 5", ...
    at: str
    files: list[FileRow]


@dataclass
class TicketLine:
    id: int
    title: str
    customer: str
    status: str
    status_label: str
    type_label: str
    updated: str
    unread: bool


@dataclass
class StatusMove:
    """A status button: the status the ticket may move to, and its label."""

    status: str
    label: str


@dataclass
class MatchRow:
    id: int
    label: str


@dataclass
class OrderOption:
    id: int
    label: str


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def file_row(a: AttachmentView) -> FileRow:
    return FileRow(a.id, a.filename, f"/api/attachments/{a.id}", _size(a.size))


def status_label(status: str, lang: str) -> str:
    return translate(lang, f"ticket.status.{status}")


def method_label(method: str, lang: str) -> str:
    """How the customer says they were charged (card, cash, ...), in the viewer's language."""
    return translate(lang, f"ticket.method.{method}") if method else ""


def _event(e: EntryView, lang: str) -> str:
    if e.kind == "status":
        return translate(lang, "ticket.history.status", old=status_label(e.old_status, lang)
                         if e.old_status else "", new=status_label(e.new_status, lang))
    if e.kind == "rating":
        return translate(lang, "ticket.history.rating", stars=e.new_status)
    if e.kind == "note":
        return translate(lang, "ticket.history.note")
    return ""


def _note_text(e: EntryView, lang: str) -> str:
    if e.kind == "note" and e.body.startswith("payment:"):
        _, pid, amount = (e.body.split(":", 2) + ["", ""])[:3]
        return translate(lang, "ticket.payment_voided", payment=pid, amount=amount)
    return e.body


def history(v: TicketView, lang: str, tz: str) -> list[HistoryRow]:
    return [HistoryRow(e.id, e.kind, e.author, e.author_is_staff, _note_text(e, lang),
                       _event(e, lang), fmt_datetime(e.at, lang, tz),
                       [file_row(a) for a in e.attachments]) for e in v.entries]


def moves(v: TicketView, lang: str) -> list[StatusMove]:
    """The statuses the viewer may set (the domain's `actions_for`), as buttons."""
    return [StatusMove(s.value, status_label(s.value, lang)) for s in v.moves]


def title(ticket_id: int, kind: str, order_id: int | None, lang: str) -> str:
    label = translate(lang, f"ticket.type.{kind}")
    text = translate(lang, "ticket.title", id=ticket_id, type=label)
    return f"{text} · {translate(lang, 'ticket.order_ref', order=order_id)}" if order_id else text


def line(r: TicketRow, lang: str, tz: str) -> TicketLine:
    return TicketLine(r.id, title(r.id, r.type, r.order_id, lang), r.customer, r.status,
                      status_label(r.status, lang), translate(lang, f"ticket.type.{r.type}"),
                      fmt_datetime(r.updated_at, lang, tz), r.unread)


def match_row(m: PaymentMatch, lang: str, tz: str) -> MatchRow:
    return MatchRow(m.id, translate_isolated(
        lang, "ticket.match", payment=m.id, amount=fmt_money(m.amount, m.currency, lang),
        method=method_label(m.method, lang), last4=m.last4 or "—",
        when=fmt_datetime(m.created_at, lang, tz), invoice=m.invoice_number or "—",
        status=translate(lang, f"payment.status.{m.status}")))


def order_option(o: OrderChoice, lang: str, tz: str) -> OrderOption:
    return OrderOption(o.id, translate_isolated(
        lang, "ticket.order_option", order=o.id, when=fmt_datetime(o.created_at, lang, tz),
        total=fmt_money(o.total, o.currency, lang),
        fulfilment=translate(lang, f"ticket.fulfilment.{o.fulfilment}")))
