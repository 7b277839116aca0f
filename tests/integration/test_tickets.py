"""Help tickets on a real database: creating them ("Charged but no order", "My order is late"),
likely payments, replies and internal notes, statuses and ratings, who may see and do what,
attachments on disk, and the staff inbox."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, SQLModel

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import (
    DomainError,
    Forbidden,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from reserve_app.domain.tickets import MAX_FILE_BYTES, MAX_FILES_PER_MESSAGE, MAX_MESSAGE
from reserve_app.models import (
    AuditEntry,
    Invoice,
    LiveEvent,
    OutboxMessage,
    Payment,
    ShopOrder,
    Ticket,
    TicketAttachment,
    TicketEntry,
    User,
)
from reserve_app.models.base import utcnow
from reserve_app.services import shop, tickets, uow

from .helpers import add_admin, add_user, configure, count, rows, run_together

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
PDF = b"%PDF-1.4\n" + b"x" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 40
TRACKING = "https://track.example/parcel?id=123"


# --- fixtures and small helpers -------------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    admin: Actor
    staff: Actor
    cleo: Actor
    dan: Actor
    cola: int        # a product to order
    files: Path      # ATTACHMENTS_DIR


@pytest.fixture
def t(settings_env: pytest.MonkeyPatch, tmp_path: Path) -> Desk:
    files = tmp_path / "attachments"
    configure(settings_env, ATTACHMENTS_DIR=files)
    admin = add_admin()
    staff = add_user("Stan Staff", "stan@example.com", Role.STAFF)
    cleo = add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER)
    dan = add_user("Dan Customer", "dan@example.com", Role.CUSTOMER)
    with uow.write_session() as session:
        cola = shop.save_product(session, actor=admin, name="Cola", kind="product",
                                 price="2.50", tax_rate="10")
    return Desk(admin, staff, cleo, dan, cola, files)


def place_order(t: Desk, customer: Actor, quantity: int = 2) -> ShopOrder:
    with uow.write_session() as session:
        order_id = shop.place_order(session, actor=customer, method="cash", items=[
            {"product_id": t.cola, "pay_with": "money", "quantity": quantity}])
    [order] = rows(ShopOrder, ShopOrder.id == order_id)
    return order


def charged(actor: Actor | None, method: object = "card", last4: object = "4242",
            details: object = "I was charged but see no order", now: datetime | None = None
            ) -> int:
    with uow.write_session() as session:
        return tickets.create_charged_ticket(session, actor=actor, method=method, last4=last4,
                                             details=details, now=now)


def check_late(actor: Actor | None, order_id: object, now: datetime) -> tickets.LateView:
    with uow.write_session() as session:
        return tickets.check_late_order(session, actor=actor, order_id=order_id, now=now)


def late_ticket(actor: Actor | None, order_id: object, now: datetime,
                details: object = "Where is my order?") -> int:
    with uow.write_session() as session:
        return tickets.create_late_ticket(session, actor=actor, order_id=order_id,
                                          details=details, now=now)


def fulfil(actor: Actor | None, order_id: object, fulfilment: object,
           tracking_url: object = "") -> None:
    with uow.write_session() as session:
        tickets.set_fulfilment(session, actor=actor, order_id=order_id, fulfilment=fulfilment,
                               tracking_url=tracking_url)


def view(actor: Actor | None, ticket_id: object, mark_read: bool = False) -> tickets.TicketView:
    with uow.write_session() as session:
        return tickets.ticket_view(session, actor=actor, ticket_id=ticket_id,
                                   mark_read=mark_read)


def reply(actor: Actor | None, ticket_id: object, text: object, internal: object = False,
          canned_id: object = None, now: datetime | None = None) -> tickets.TicketView:
    with uow.write_session() as session:
        return tickets.reply(session, actor=actor, ticket_id=ticket_id, text=text,
                             internal=internal, canned_id=canned_id, now=now)


def set_status(actor: Actor | None, ticket_id: object, status: object,
               now: datetime | None = None) -> tickets.TicketView:
    with uow.write_session() as session:
        return tickets.set_status(session, actor=actor, ticket_id=ticket_id, status=status,
                                  now=now)


def rate(actor: Actor | None, ticket_id: object, stars: object,
         comment: object = "") -> tickets.TicketView:
    with uow.write_session() as session:
        return tickets.rate(session, actor=actor, ticket_id=ticket_id, stars=stars,
                            comment=comment)


def attach(actor: Actor | None, ticket_id: object, filename: object = "receipt.png",
           data: bytes = PNG) -> tickets.AttachmentView:
    with uow.write_session() as session:
        return tickets.attach(session, actor=actor, ticket_id=ticket_id, filename=filename,
                              data=data)


def drop(actor: Actor | None, attachment_id: object) -> None:
    with uow.write_session() as session:
        tickets.drop_pending(session, actor=actor, attachment_id=attachment_id)


def open_file(actor: Actor | None, attachment_id: object) -> tickets.FileToSend:
    with uow.read_session() as session:
        return tickets.open_attachment(session, actor=actor, attachment_id=attachment_id)


def void(actor: Actor | None, ticket_id: object, payment_id: object) -> tickets.TicketView:
    with uow.write_session() as session:
        return tickets.void_payment(session, actor=actor, ticket_id=ticket_id,
                                    payment_id=payment_id)


def inbox(actor: Actor | None, status: object = "", kind: object = "") -> list[int]:
    with uow.read_session() as session:
        return [r.id for r in tickets.inbox(session, actor=actor, status=status, kind=kind)]


def save_canned(actor: Actor | None, title: object, text: object,
                canned_id: object = 0) -> tickets.CannedView:
    with uow.write_session() as session:
        return tickets.save_canned(session, actor=actor, canned_id=canned_id, title=title,
                                   text=text)


def tickets_canned(actor: Actor) -> list[tickets.CannedView]:
    with uow.read_session() as session:
        return tickets.canned(session, actor=actor)


def self_service(actor: Actor | None, enabled: object) -> bool:
    with uow.write_session() as session:
        return tickets.save_settings(session, actor=actor, enabled=enabled)


def unread(actor: Actor | None) -> int:
    with uow.read_session() as session:
        return tickets.unread_count(session, actor=actor)


def ticket_row(ticket_id: int) -> Ticket:
    [ticket] = rows(Ticket, Ticket.id == ticket_id)
    return ticket


def history(ticket: tickets.TicketView) -> list[tuple[str, str, str, str, str]]:
    """(kind, author, body, old status, new status) of each entry the caller sees."""
    return [(e.kind, e.author, e.body, e.old_status, e.new_status) for e in ticket.entries]


def all_file_ids(ticket: tickets.TicketView) -> set[int]:
    return {a.id for e in ticket.entries for a in e.attachments} | {a.id for a in ticket.pending}


def last_id(model: type[SQLModel]) -> int:
    found = rows(model)
    return found[-1].id if found else 0


def mail_after(last: int) -> list[tuple[str, str]]:
    """(to, kind) of every email written after outbox row `last`."""
    return sorted((m.to_email, m.kind) for m in rows(OutboxMessage, OutboxMessage.id > last))


def events_after(last: int) -> set[tuple[str, str, int]]:
    return {(e.topic, e.kind, e.ref_id) for e in rows(LiveEvent, LiveEvent.id > last)}


def stored_files(t: Desk) -> list[str]:
    return sorted(p.name for p in t.files.iterdir()) if t.files.exists() else []


WRITTEN: tuple[type[SQLModel], ...] = (Ticket, TicketEntry, TicketAttachment, OutboxMessage,
                                       LiveEvent, AuditEntry)


def snapshot(t: Desk) -> dict[str, object]:
    """Everything a ticket use case may change."""
    return {
        **{model.__name__: count(model) for model in WRITTEN},
        "tickets": [(x.id, x.status, x.customer_unread, x.staff_unread, x.rating,
                     x.rating_comment, x.updated_at) for x in rows(Ticket)],
        "attachments": [(a.id, a.entry_id, a.internal) for a in rows(TicketAttachment)],
        "payments": [(p.id, p.status) for p in rows(Payment)],
        "orders": [(o.id, o.fulfilment, o.tracking_url) for o in rows(ShopOrder)],
        "files": stored_files(t),
    }


_invoice_numbers = itertools.count(900_000)


def add_payment(customer: Actor, *, method: str = "card", last4: str = "4242",
                amount: str = "19.99", invoice_status: str = "void",
                payment_status: str = "approved", age: timedelta = timedelta(hours=1),
                provider: str = "manual") -> int:
    """A payment of the customer's whose invoice (of an order that did not go through) is
    `invoice_status`; inserted directly, as a payment provider's callback would leave it."""
    created = utcnow() - age
    with uow.write_session() as session:
        invoice = Invoice(order_kind="shop", order_id=next(_invoice_numbers),
                          customer_id=customer.user_id, status=invoice_status,
                          subtotal=Decimal(amount), tax=Decimal("0.00"), total=Decimal(amount),
                          currency="EUR", created_at=created)
        session.add(invoice)
        session.flush()
        payment = Payment(invoice_id=invoice.id or 0, provider=provider, method=method,
                          last4=last4, amount=Decimal(amount), status=payment_status,
                          created_at=created)
        session.add(payment)
        session.commit()
        return payment.id or 0


def payment_status(payment_id: int) -> str:
    [payment] = rows(Payment, Payment.id == payment_id)
    return payment.status


# --- "Charged but no order created" ----------------------------------------------------------


def test_charged_ticket_is_created_and_staff_are_told(t: Desk) -> None:
    ivy = add_user("Ivy Former", "ivy@example.com", Role.STAFF)
    with uow.write_session() as session:
        session.get(User, ivy.user_id).active = False
        session.commit()
    mail, events = last_id(OutboxMessage), last_id(LiveEvent)

    ticket_id = charged(t.cleo, "card", " 4242 ", "  Charged 19.99 yesterday, no order  ")

    ticket = ticket_row(ticket_id)
    assert (ticket.customer_id, ticket.type, ticket.status, ticket.method, ticket.last4,
            ticket.details, ticket.order_id, ticket.auto) == (
        t.cleo.user_id, "charged_no_order", "open", "card", "4242",
        "Charged 19.99 yesterday, no order", None, False)
    assert (ticket.staff_unread, ticket.customer_unread) == (True, False)
    # Every active staff member and admin gets an email; the customer and former staff none.
    assert mail_after(mail) == [("ada@example.com", "ticket_new"),
                                ("stan@example.com", "ticket_new")]
    assert ("staff:tickets", "ticket", ticket_id) in events_after(events)

    mine = view(t.cleo, ticket_id)
    assert history(mine) == [("message", "Cleo Customer", "Charged 19.99 yesterday, no order",
                              "", "")]
    assert (mine.status, mine.match, mine.customer_email) == ("open", [], "")
    with uow.read_session() as session:
        assert [r.id for r in tickets.my_tickets(session, actor=t.cleo)] == [ticket_id]
        assert tickets.my_tickets(session, actor=t.dan) == []
        assert tickets.open_count(session, actor=t.staff) == 1


@pytest.mark.parametrize("method", ["online", "cash"])
def test_charged_ticket_other_methods(t: Desk, method: str) -> None:
    digits = "" if method == "cash" else "0007"
    ticket_id = charged(t.cleo, method, digits)
    assert (ticket_row(ticket_id).method, ticket_row(ticket_id).last4) == (method, digits)


@pytest.mark.parametrize(("method", "last4", "details", "errors"), [
    ("card", "123", "details", {"last4": "ticket.last4_invalid"}),
    ("card", "12345", "details", {"last4": "ticket.last4_invalid"}),
    ("card", "abcd", "details", {"last4": "ticket.last4_invalid"}),
    ("card", "12a4", "details", {"last4": "ticket.last4_invalid"}),
    ("card", "１２３４", "details", {"last4": "ticket.last4_invalid"}),
    ("online", "", "details", {"last4": "ticket.last4_invalid"}),
    ("cash", "1234", "details", {"last4": "ticket.last4_not_for_method"}),
    ("card", "4242", "", {"details": "field.required"}),
    ("card", "4242", "   ", {"details": "field.required"}),
    ("card", "4242", "x" * 2001, {"details": "field.too_long"}),
    ("cheque", "4242", "details", {"method": "ticket.method_invalid"}),
    ("card", "12", "", {"last4": "ticket.last4_invalid", "details": "field.required"}),
])
def test_invalid_charged_ticket_writes_nothing(t: Desk, method: str, last4: str, details: str,
                                               errors: dict[str, str]) -> None:
    before = snapshot(t)
    with pytest.raises(ValidationFailed) as err:
        charged(t.cleo, method, last4, details)
    assert err.value.fields == errors
    assert snapshot(t) == before


def test_only_customers_create_tickets(t: Desk) -> None:
    order = place_order(t, t.cleo)
    before = snapshot(t)
    for who in (t.staff, t.admin):
        with pytest.raises(DomainError) as err:
            charged(who)
        assert err.value.key == "ticket.customers_only"
        with pytest.raises(DomainError):
            check_late(who, order.id, order.created_at + timedelta(hours=50))
    with pytest.raises(Unauthenticated):
        charged(None)
    assert snapshot(t) == before


# --- likely payments and voiding one -----------------------------------------------------------


def test_staff_see_likely_payments_best_first_and_void_one(t: Desk) -> None:
    same_digits = add_payment(t.cleo, last4="4242", age=timedelta(days=2))
    other_digits = add_payment(t.cleo, last4="1111", age=timedelta(hours=2))
    pending_cash = add_payment(t.cleo, method="cash", last4="", payment_status="pending",
                               age=timedelta(minutes=5))
    # Never a match: the invoice stands (an order exists), the payment is void, it is too
    # old, or it is someone else's.
    paid_invoice = add_payment(t.cleo, invoice_status="paid")
    issued_invoice = add_payment(t.cleo, invoice_status="issued")
    already_void = add_payment(t.cleo, payment_status="void")
    too_old = add_payment(t.cleo, age=timedelta(days=31))
    dans = add_payment(t.dan, last4="4242", age=timedelta(minutes=1))
    ticket_id = charged(t.cleo, "card", "4242")

    staff_view = view(t.staff, ticket_id)
    assert [m.id for m in staff_view.match] == [same_digits, other_digits, pending_cash]
    best = staff_view.match[0]
    assert (best.amount, best.method, best.last4, best.status) == (Decimal("19.99"), "card",
                                                                   "4242", "approved")
    assert staff_view.customer_email == "cleo@example.com"
    assert view(t.cleo, ticket_id).match == []        # customers never see payments

    before = snapshot(t)
    for not_a_match in (paid_invoice, issued_invoice, already_void, too_old, dans, 999_999,
                        "1", None):
        with pytest.raises(NotFound):
            void(t.staff, ticket_id, not_a_match)
    assert snapshot(t) == before

    after = void(t.staff, ticket_id, same_digits)
    assert payment_status(same_digits) == "void"
    assert [m.id for m in after.match] == [other_digits, pending_cash]
    assert after.entries[-1].kind == "note"            # recorded for staff ...
    assert all(e.kind != "note" for e in view(t.cleo, ticket_id).entries)   # ... only
    assert payment_status(dans) == "approved"
    with pytest.raises(NotFound):
        void(t.staff, ticket_id, same_digits)           # not a match any more


def test_void_payment_only_for_a_payment_the_ticket_lists(t: Desk) -> None:
    """A "My order is late" ticket lists no likely payments, so none can be voided from it."""
    payment = add_payment(t.cleo)
    order = place_order(t, t.cleo)
    fulfil(t.staff, order.id, "shipping", TRACKING)
    ticket_id = check_late(t.cleo, order.id, order.created_at + timedelta(hours=49)).ticket_id
    assert view(t.staff, ticket_id).match == []

    with pytest.raises(NotFound):
        void(t.staff, ticket_id, payment)
    assert payment_status(payment) == "approved"


def test_customers_cannot_void_payments(t: Desk) -> None:
    payment = add_payment(t.cleo)
    ticket_id = charged(t.cleo)
    with pytest.raises(Forbidden):
        void(t.cleo, ticket_id, payment)
    assert payment_status(payment) == "approved"


# --- "My order is late" -----------------------------------------------------------------------


def test_under_48_hours_shows_tracking_and_makes_no_ticket(t: Desk) -> None:
    order = place_order(t, t.cleo)
    fulfil(t.staff, order.id, "shipping", TRACKING)
    mail = last_id(OutboxMessage)

    late = check_late(t.cleo, order.id, order.created_at + timedelta(
        hours=47, minutes=59, seconds=59, microseconds=999_999))

    assert (late.outcome, late.tracking_url, late.ticket_id) == ("show_tracking", TRACKING, 0)
    assert (late.order.id, late.order.fulfilment) == (order.id, "shipping")
    assert count(Ticket) == 0
    assert mail_after(mail) == []


@pytest.mark.parametrize("fulfilment", ["shipping", "fulfilled"])
def test_over_48_hours_on_its_way_makes_one_ticket(t: Desk, fulfilment: str) -> None:
    order = place_order(t, t.cleo)
    fulfil(t.staff, order.id, fulfilment, TRACKING)
    mail, events = last_id(OutboxMessage), last_id(LiveEvent)

    late = check_late(t.cleo, order.id, order.created_at + timedelta(hours=48))

    assert (late.outcome, late.tracking_url) == ("auto_ticket", TRACKING)
    assert late.ticket_id > 0
    ticket = ticket_row(late.ticket_id)
    assert (ticket.customer_id, ticket.type, ticket.status, ticket.order_id, ticket.auto) == (
        t.cleo.user_id, "order_late", "open", order.id, True)
    assert mail_after(mail) == [("ada@example.com", "ticket_new"),
                                ("stan@example.com", "ticket_new")]
    assert ("staff:tickets", "ticket", late.ticket_id) in events_after(events)
    assert view(t.cleo, late.ticket_id).tracking_url == TRACKING

    mail = last_id(OutboxMessage)
    again = check_late(t.cleo, order.id, order.created_at + timedelta(hours=72))
    assert (again.outcome, again.ticket_id) == ("auto_ticket", late.ticket_id)
    assert count(Ticket) == 1
    assert mail_after(mail) == []


def test_checking_at_the_same_time_makes_one_ticket(t: Desk) -> None:
    order = place_order(t, t.cleo)
    fulfil(t.staff, order.id, "shipping", TRACKING)
    now = order.created_at + timedelta(hours=50)

    results = run_together(4, lambda _: check_late(t.cleo, order.id, now).ticket_id)

    [ticket] = rows(Ticket)
    assert results == [ticket.id] * 4


def test_over_48_hours_awaiting_review_offers_a_ticket(t: Desk) -> None:
    order = place_order(t, t.cleo)
    over = order.created_at + timedelta(hours=48)

    late = check_late(t.cleo, order.id, over)
    assert (late.outcome, late.ticket_id, late.tracking_url) == ("offer_ticket", 0, "")
    assert count(Ticket) == 0

    mail = last_id(OutboxMessage)
    ticket_id = late_ticket(t.cleo, order.id, over, "  Nothing happened for 2 days  ")
    ticket = ticket_row(ticket_id)
    assert (ticket.type, ticket.status, ticket.order_id, ticket.auto, ticket.details) == (
        "order_late", "verifying", order.id, False, "Nothing happened for 2 days")
    assert history(view(t.cleo, ticket_id)) == [
        ("message", "Cleo Customer", "Nothing happened for 2 days", "", ""),
        ("status", "Cleo Customer", "", "open", "verifying")]
    assert mail_after(mail) == [("ada@example.com", "ticket_new"),
                                ("stan@example.com", "ticket_new")]

    # The offer now leads to the ticket already made; asking twice makes no second one.
    assert check_late(t.cleo, order.id, over).ticket_id == ticket_id
    assert late_ticket(t.cleo, order.id, over) == ticket_id
    assert count(Ticket) == 1


def test_create_late_ticket_only_when_offered(t: Desk) -> None:
    waiting, shipped, delivered = (place_order(t, t.cleo) for _ in range(3))
    fulfil(t.staff, shipped.id, "shipping", TRACKING)
    fulfil(t.staff, delivered.id, "delivered")
    before = snapshot(t)

    for order, hours in ((waiting, 47), (shipped, 49), (shipped, 1), (delivered, 49)):
        with pytest.raises(DomainError) as err:
            late_ticket(t.cleo, order.id, order.created_at + timedelta(hours=hours))
        assert err.value.key == "ticket.late_not_needed", (order.id, hours)
    with pytest.raises(ValidationFailed) as err:
        late_ticket(t.cleo, waiting.id, waiting.created_at + timedelta(hours=49), details=" ")
    assert err.value.fields == {"details": "field.required"}
    assert snapshot(t) == before


def test_a_delivered_order_shows_its_details(t: Desk) -> None:
    order = place_order(t, t.cleo, quantity=3)
    fulfil(t.staff, order.id, "delivered", TRACKING)

    for hours in (1, 48, 500):
        late = check_late(t.cleo, order.id, order.created_at + timedelta(hours=hours))
        assert (late.outcome, late.ticket_id, late.items) == ("show_details", 0, [("Cola", 3)])
        assert late.order.total == order.total
    assert count(Ticket) == 0


def test_late_rules_only_for_the_customers_own_live_orders(t: Desk) -> None:
    cleos = place_order(t, t.cleo)
    fulfil(t.staff, cleos.id, "shipping", TRACKING)
    cancelled = place_order(t, t.cleo)
    with uow.write_session() as session:
        shop.act(session, actor=t.staff, order_id=cancelled.id, action="cancel")
    dans = place_order(t, t.dan)
    over = cleos.created_at + timedelta(hours=60)
    before = snapshot(t)

    for order_id in (cleos.id, 999_999, str(cleos.id), None, True):
        with pytest.raises(NotFound):
            check_late(t.dan, order_id, over)
        with pytest.raises(NotFound):
            late_ticket(t.dan, order_id, over)
    with pytest.raises(NotFound):
        check_late(t.cleo, cancelled.id, over)
    assert snapshot(t) == before

    with uow.read_session() as session:
        assert [o.id for o in tickets.orders_to_ask_about(session, actor=t.cleo)] == [cleos.id]
        assert [o.id for o in tickets.orders_to_ask_about(session, actor=t.dan)] == [dans.id]


def test_set_fulfilment(t: Desk) -> None:
    order = place_order(t, t.cleo)
    assert (order.fulfilment, order.tracking_url) == ("awaiting_review", "")
    events = last_id(LiveEvent)

    fulfil(t.staff, order.id, "shipping", f"  {TRACKING}  ")

    [changed] = rows(ShopOrder, ShopOrder.id == order.id)
    assert (changed.fulfilment, changed.tracking_url) == ("shipping", TRACKING)
    assert events_after(events) == {("staff:orders", "order_changed", order.id),
                                    (f"customer:{t.cleo.user_id}", "order_changed", order.id)}
    longest = "https://t.example/" + "a" * (500 - len("https://t.example/"))
    fulfil(t.admin, order.id, "fulfilled", longest)
    [changed] = rows(ShopOrder, ShopOrder.id == order.id)
    assert (changed.fulfilment, changed.tracking_url) == ("fulfilled", longest)


def test_set_fulfilment_refuses_customers_and_bad_input(t: Desk) -> None:
    order = place_order(t, t.cleo)
    before = snapshot(t)

    with pytest.raises(Forbidden):
        fulfil(t.cleo, order.id, "delivered", TRACKING)
    with pytest.raises(Unauthenticated):
        fulfil(None, order.id, "delivered", TRACKING)
    for url in ("javascript:alert(1)", "track.example/1", "https://x.example/<script>",
                "https://" + "a" * 500):
        with pytest.raises(ValidationFailed) as err:
            fulfil(t.staff, order.id, "shipping", url)
        assert err.value.fields == {"tracking_url": "ticket.tracking_url_invalid"}
    for stage in ("lost", "", None, "SHIPPING"):
        with pytest.raises(ValidationFailed) as err:
            fulfil(t.staff, order.id, stage, TRACKING)
        assert err.value.fields == {"fulfilment": "field.choice_invalid"}
    with pytest.raises(NotFound):
        fulfil(t.staff, 999_999, "shipping", TRACKING)
    assert snapshot(t) == before


# --- replies ---------------------------------------------------------------------------------


def test_replies_move_the_status_and_tell_the_other_side(t: Desk) -> None:
    ticket_id = charged(t.cleo, details="Charged twice")
    mail, events = last_id(OutboxMessage), last_id(LiveEvent)

    answered = reply(t.staff, ticket_id, "We are checking")

    assert answered.status == "answered"
    assert mail_after(mail) == [("cleo@example.com", "ticket_reply_customer")]
    assert events_after(events) >= {("staff:tickets", "ticket", ticket_id),
                                    (f"customer:{t.cleo.user_id}", "ticket", ticket_id)}
    assert ticket_row(ticket_id).customer_unread is True
    assert unread(t.cleo) == 1
    assert unread(t.dan) == 0
    with uow.read_session() as session:
        assert [r.unread for r in tickets.my_tickets(session, actor=t.cleo)] == [True]
    assert view(t.cleo, ticket_id).unread is True
    assert unread(t.cleo) == 1                          # looking without marking changes nothing
    assert view(t.cleo, ticket_id, mark_read=True).unread is False
    assert unread(t.cleo) == 0

    view(t.staff, ticket_id, mark_read=True)
    assert ticket_row(ticket_id).staff_unread is False
    mail = last_id(OutboxMessage)
    again = reply(t.cleo, ticket_id, "Still waiting")

    assert again.status == "open"
    assert ticket_row(ticket_id).staff_unread is True
    # The staff member who answered gets the email, not everyone.
    assert mail_after(mail) == [("stan@example.com", "ticket_reply_staff")]
    assert history(again) == [
        ("message", "Cleo Customer", "Charged twice", "", ""),
        ("message", "Stan Staff", "We are checking", "", ""),
        ("status", "Stan Staff", "", "open", "answered"),
        ("message", "Cleo Customer", "Still waiting", "", ""),
        ("status", "Cleo Customer", "", "answered", "open")]
    assert [e.author_is_staff for e in again.entries] == [False, True, True, False, False]


def test_a_staff_reply_keeps_verification_going(t: Desk) -> None:
    order = place_order(t, t.cleo)
    ticket_id = late_ticket(t.cleo, order.id, order.created_at + timedelta(hours=49))
    assert reply(t.staff, ticket_id, "Looking into it").status == "verifying"
    assert reply(t.cleo, ticket_id, "Thanks").status == "verifying"


def test_markup_in_messages_is_stored_as_given(t: Desk) -> None:
    details = "<img src=x onerror=alert(1)> & \"quotes\""
    message = "<script>alert('x')</script>\n<b>bold</b> &amp;"
    ticket_id = charged(t.cleo, details=details)
    reply(t.cleo, ticket_id, message)

    assert [e.body for e in rows(TicketEntry, TicketEntry.kind == "message")] == [details,
                                                                                  message]
    assert [e.body for e in view(t.staff, ticket_id).entries] == [details, message]


def test_empty_or_invalid_replies_write_nothing(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    before = snapshot(t)
    for text, errors in (("", {"message": "field.required"}),
                         ("  ", {"message": "field.required"}),
                         ("x" * (MAX_MESSAGE + 1), {"message": "field.too_long"}),
                         ("a\x00b", {"message": "field.invalid"})):
        with pytest.raises(ValidationFailed) as err:
            reply(t.cleo, ticket_id, text)
        assert err.value.fields == errors
    with pytest.raises(ValidationFailed):
        reply(t.staff, ticket_id, "note", internal="yes")
    assert snapshot(t) == before


def test_internal_notes_and_their_files_stay_with_staff(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    customer_sees = view(t.cleo, ticket_id)
    staff_file = attach(t.staff, ticket_id, "bank statement.pdf", PDF)
    # Not sent yet: the customer neither sees it nor can fetch it.
    assert all_file_ids(view(t.cleo, ticket_id)) == set()
    with pytest.raises(NotFound):
        open_file(t.cleo, staff_file.id)
    mail, events = last_id(OutboxMessage), last_id(LiveEvent)

    noted = reply(t.staff, ticket_id, "Customer paid by card, check with the bank",
                  internal=True)

    assert noted.status == "open"                         # a note answers nothing
    assert noted.entries[-1].kind == "note"
    assert [a.id for a in noted.entries[-1].attachments] == [staff_file.id]
    assert open_file(t.staff, staff_file.id).path.read_bytes() == PDF
    assert mail_after(mail) == []
    assert not any(topic.startswith("customer:") for topic, _, _ in events_after(events))
    assert ("staff:tickets", "ticket", ticket_id) in events_after(events)
    assert ticket_row(ticket_id).customer_unread is False

    after = view(t.cleo, ticket_id)
    assert history(after) == history(customer_sees)
    assert all_file_ids(after) == set()
    assert "bank" not in repr(after)
    with pytest.raises(NotFound):
        open_file(t.cleo, staff_file.id)
    assert unread(t.cleo) == 0

    # A later public reply shows the reply, still not the note.
    reply(t.staff, ticket_id, "We found it")
    assert [e.body for e in view(t.cleo, ticket_id).entries] == [
        "I was charged but see no order", "We found it", ""]


def test_customers_cannot_write_internal_notes(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    before = snapshot(t)
    with pytest.raises(NotFound):
        reply(t.cleo, ticket_id, "psst", internal=True)
    assert snapshot(t) == before


def test_canned_responses(t: Desk) -> None:
    refund = save_canned(t.admin, " Refund ", "Your money is on its way back.")
    other = save_canned(t.admin, "Apology", "Sorry for the wait.")
    changed = save_canned(t.admin, "Refund", "Your money is on its way.", canned_id=refund.id)
    assert changed == tickets.CannedView(refund.id, "Refund", "Your money is on its way.")
    assert [c.title for c in tickets_canned(t.staff)] == ["Apology", "Refund"]
    ticket_id = charged(t.cleo)

    sent = reply(t.staff, ticket_id, "", canned_id=refund.id)
    assert sent.entries[-2].body == "Your money is on its way."
    sent = reply(t.staff, ticket_id, "Order 12.", canned_id=refund.id)
    assert sent.entries[-1].body == "Your money is on its way.\n\nOrder 12."

    before = snapshot(t)
    with pytest.raises(NotFound):
        reply(t.cleo, ticket_id, "hi", canned_id=refund.id)   # customers have no canned texts
    with uow.write_session() as session:
        tickets.remove_canned(session, actor=t.admin, canned_id=other.id)
    with pytest.raises(NotFound):
        reply(t.staff, ticket_id, "", canned_id=other.id)
    with pytest.raises(NotFound):
        reply(t.staff, ticket_id, "", canned_id=999_999)
    assert [c.title for c in tickets_canned(t.staff)] == ["Refund"]
    assert count(TicketEntry) == before["TicketEntry"]

    with pytest.raises(ValidationFailed) as err:
        save_canned(t.admin, "", "x" * (MAX_MESSAGE + 1))
    assert err.value.fields == {"title": "field.required", "text": "field.too_long"}


def test_a_canned_text_and_a_message_together_stay_within_the_message_limit(t: Desk) -> None:
    """Each part alone is within the limit; together they are not, so the reply is refused
    rather than stored longer than a message may be (the column holds MAX_MESSAGE)."""
    long_text = save_canned(t.admin, "Long", "a" * 3000)
    ticket_id = charged(t.cleo)
    before = snapshot(t)

    with pytest.raises(ValidationFailed) as err:
        reply(t.staff, ticket_id, "b" * 2000, canned_id=long_text.id)
    assert err.value.fields == {"message": "field.too_long"}
    assert snapshot(t) == before


# --- status and rating ------------------------------------------------------------------------


def test_staff_move_along_the_status_table(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    for status in ("verifying", "answered", "open", "closed", "open"):
        assert set_status(t.staff, ticket_id, status).status == status
    assert ticket_row(ticket_id).customer_unread is True
    assert [(e.old_status, e.new_status) for e in view(t.cleo, ticket_id).entries
            if e.kind == "status"] == [("open", "verifying"), ("verifying", "answered"),
                                       ("answered", "open"), ("open", "closed"),
                                       ("closed", "open")]
    set_status(t.staff, ticket_id, "closed")
    before = snapshot(t)
    for status in ("verifying", "answered"):
        with pytest.raises(DomainError):
            set_status(t.staff, ticket_id, status)
    with pytest.raises(ValidationFailed):
        set_status(t.staff, ticket_id, "solved")
    assert set_status(t.staff, ticket_id, "closed").status == "closed"   # already: no change
    assert snapshot(t) == before


def test_a_customer_may_only_close_their_ticket(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    reply(t.staff, ticket_id, "Answer")
    before = snapshot(t)
    for status in ("open", "verifying", "answered"):
        with pytest.raises(NotFound):
            set_status(t.cleo, ticket_id, status)
    with pytest.raises(ValidationFailed):
        set_status(t.cleo, ticket_id, "bogus")
    assert snapshot(t) == before

    assert set_status(t.cleo, ticket_id, "closed").status == "closed"
    assert ticket_row(ticket_id).staff_unread is True
    with pytest.raises(NotFound):
        set_status(t.cleo, ticket_id, "open")           # only staff reopen


def test_a_closed_ticket_takes_no_replies_or_files(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    set_status(t.cleo, ticket_id, "closed")
    before = snapshot(t)
    for who, internal in ((t.cleo, False), (t.staff, False), (t.staff, True)):
        with pytest.raises(DomainError) as err:
            reply(who, ticket_id, "hello?", internal=internal)
        assert err.value.key == "ticket.closed"
    for who in (t.cleo, t.staff):
        with pytest.raises(DomainError) as err:
            attach(who, ticket_id)
        assert err.value.key == "ticket.closed"
    assert snapshot(t) == before


def test_rating_only_after_closing_and_only_once(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    reply(t.staff, ticket_id, "Refunded")
    before = snapshot(t)
    with pytest.raises(DomainError) as err:
        rate(t.cleo, ticket_id, 5)
    assert err.value.key == "ticket.rate_when_closed"
    assert snapshot(t) == before

    set_status(t.staff, ticket_id, "closed")
    before = snapshot(t)
    for stars in (0, 6, "3.5", True, None):
        with pytest.raises(ValidationFailed):
            rate(t.cleo, ticket_id, stars)
    with pytest.raises(DomainError) as err:
        rate(t.staff, ticket_id, 5)
    assert err.value.key == "ticket.customers_only"
    assert snapshot(t) == before

    rated = rate(t.cleo, ticket_id, 4, "  Quick, thanks  ")
    assert (rated.rating, rated.rating_comment) == (4, "Quick, thanks")
    assert (ticket_row(ticket_id).rating, ticket_row(ticket_id).staff_unread) == (4, True)
    for who in (t.cleo, t.staff):
        assert history(view(who, ticket_id))[-1] == ("rating", "Cleo Customer", "Quick, thanks",
                                                     "", "4")

    before = snapshot(t)
    with pytest.raises(DomainError) as err:
        rate(t.cleo, ticket_id, 1, "changed my mind")
    assert err.value.key == "ticket.already_rated"
    set_status(t.staff, ticket_id, "open")
    set_status(t.staff, ticket_id, "closed")
    with pytest.raises(DomainError) as err:
        rate(t.cleo, ticket_id, 1)
    assert err.value.key == "ticket.already_rated"
    assert ticket_row(ticket_id).rating == 4
    assert count(TicketEntry, TicketEntry.kind == "rating") == 1
    assert before["TicketEntry"] + 2 == count(TicketEntry)    # just the two status changes


def test_the_view_says_what_the_caller_may_do(t: Desk) -> None:
    """What the pages show (reply form, rating form, status buttons) comes with the view,
    decided by the domain (`actions_for`, `can_reply`, `can_rate`)."""
    def allows(who: Actor) -> tuple[bool, bool, list[str]]:
        v = view(who, ticket_id)
        return v.can_reply, v.can_rate, [m.value for m in v.moves]

    ticket_id = charged(t.cleo)
    assert allows(t.cleo) == (True, False, ["closed"])
    assert allows(t.staff) == (True, False, ["verifying", "answered", "closed"])
    reply(t.staff, ticket_id, "Answer")
    assert allows(t.staff) == (True, False, ["open", "verifying", "closed"])

    closed = set_status(t.cleo, ticket_id, "closed")
    assert (closed.can_reply, closed.can_rate, closed.moves) == (False, True, [])
    assert allows(t.staff) == (False, False, ["open"])          # staff only reopen
    assert rate(t.cleo, ticket_id, 5).can_rate is False        # once
    assert allows(t.cleo) == (False, False, [])


# --- who may see and do what ------------------------------------------------------------------


def test_another_customer_can_neither_see_nor_touch_a_ticket(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    sent = attach(t.cleo, ticket_id, "receipt.png")
    reply(t.cleo, ticket_id, "Here is the receipt")
    pending = attach(t.cleo, ticket_id, "second.png")
    set_status(t.staff, ticket_id, "closed")
    set_status(t.staff, ticket_id, "open")
    before = snapshot(t)

    attempts = [
        lambda: view(t.dan, ticket_id),
        lambda: view(t.dan, ticket_id, mark_read=True),
        lambda: reply(t.dan, ticket_id, "hijack"),
        lambda: set_status(t.dan, ticket_id, "closed"),
        lambda: rate(t.dan, ticket_id, 1),
        lambda: attach(t.dan, ticket_id),
        lambda: open_file(t.dan, sent.id),
        lambda: open_file(t.dan, pending.id),
        lambda: drop(t.dan, pending.id),
        lambda: drop(t.staff, pending.id),          # not even staff take back someone's file
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    for attempt in (lambda: view(None, ticket_id), lambda: reply(None, ticket_id, "x"),
                    lambda: open_file(None, sent.id), lambda: attach(None, ticket_id)):
        with pytest.raises(Unauthenticated):
            attempt()
    assert snapshot(t) == before
    with uow.read_session() as session:
        assert tickets.my_tickets(session, actor=t.dan) == []
    # Ids that cannot be tickets are "not found" too.
    for bad in (999_999, "1", None, True, -1, 2**70):
        with pytest.raises(NotFound):
            view(t.cleo, bad)


def test_staff_only_functions_refuse_customers(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    order = place_order(t, t.cleo)
    canned = save_canned(t.admin, "Hi", "Hello")
    before = snapshot(t)
    with uow.write_session() as session:
        for call in (lambda: tickets.inbox(session, actor=t.cleo),
                     lambda: tickets.open_count(session, actor=t.cleo),
                     lambda: tickets.canned(session, actor=t.cleo),
                     lambda: tickets.void_payment(session, actor=t.cleo, ticket_id=ticket_id,
                                                  payment_id=1),
                     lambda: tickets.set_fulfilment(session, actor=t.cleo, order_id=order.id,
                                                    fulfilment="delivered", tracking_url="")):
            with pytest.raises(Forbidden):
                call()
    assert snapshot(t) == before
    with uow.read_session() as session:
        assert tickets.unread_count(session, actor=t.staff) == 0
        assert tickets.unread_count(session, actor=None) == 0
    assert [c.id for c in tickets_canned(t.staff)] == [canned.id]



def test_settings_and_canned_texts_are_for_the_admin(t: Desk) -> None:
    canned = save_canned(t.admin, "Hi", "Hello")
    before = snapshot(t)
    for who in (t.staff, t.cleo):
        with pytest.raises(Forbidden):
            self_service(who, False)
        with pytest.raises(Forbidden):
            save_canned(who, "Title", "Text")
        with pytest.raises(Forbidden):
            save_canned(who, "Title", "Text", canned_id=canned.id)
        with uow.write_session() as session, pytest.raises(Forbidden):
            tickets.remove_canned(session, actor=who, canned_id=canned.id)
    with pytest.raises(Unauthenticated):
        self_service(None, False)
    with pytest.raises(ValidationFailed):
        self_service(t.admin, "false")
    assert snapshot(t) == before
    with uow.read_session() as session:
        assert tickets.self_service_enabled(session) is True


def test_with_self_service_off_customers_cannot_create_tickets(t: Desk) -> None:
    order = place_order(t, t.cleo)
    fulfil(t.staff, order.id, "shipping", TRACKING)
    assert self_service(t.admin, False) is False
    with uow.read_session() as session:
        assert tickets.self_service_enabled(session) is False
    over = order.created_at + timedelta(hours=49)
    before = snapshot(t)

    def orders_to_ask_about() -> object:
        with uow.read_session() as session:
            return tickets.orders_to_ask_about(session, actor=t.cleo)

    for attempt in (lambda: charged(t.cleo), lambda: check_late(t.cleo, order.id, over),
                    lambda: late_ticket(t.cleo, order.id, over), orders_to_ask_about):
        with pytest.raises(DomainError) as err:
            attempt()
        assert err.value.key == "ticket.self_service_off"
    assert snapshot(t) == before

    assert self_service(t.admin, True) is True
    assert charged(t.cleo) > 0


# --- attachments ------------------------------------------------------------------------------


def test_a_file_is_stored_under_a_random_name(t: Desk) -> None:
    ticket_id = charged(t.cleo)

    sent = attach(t.cleo, ticket_id, "my receipt.png", PNG)

    assert (sent.filename, sent.content_type, sent.size) == ("my receipt.png", "image/png",
                                                             len(PNG))
    [row] = rows(TicketAttachment)
    assert row.stored_name != "my receipt.png" and "receipt" not in row.stored_name
    assert row.stored_name.endswith(".png")
    assert len(row.stored_name) >= 32 + len(".png")                 # 128 random bits in hex
    assert stored_files(t) == [row.stored_name]                       # no temporary file left
    assert (t.files / row.stored_name).read_bytes() == PNG
    found = open_file(t.cleo, sent.id)
    assert (found.path, found.filename, found.content_type) == (
        t.files / row.stored_name, "my receipt.png", "image/png")
    assert open_file(t.staff, sent.id).path == found.path

    second = attach(t.cleo, ticket_id, "my receipt.png", PNG)
    assert len(set(stored_files(t))) == 2
    assert second.id != sent.id


@pytest.mark.parametrize(("name", "data", "errors"), [
    ("setup.png", EXE, {"file": "ticket.file_type"}),
    ("setup.exe", EXE, {"file": "ticket.file_type"}),
    ("empty.png", b"", {"file": "ticket.file_empty"}),
    ("huge.png", PNG[:8] + b"\x00" * (MAX_FILE_BYTES + 1 - 8), {"file": "ticket.file_too_big"}),
    ("page.html.png", b"<html><script>alert(1)</script>", {"file": "ticket.file_type"}),
])
def test_refused_files_leave_nothing_behind(t: Desk, name: str, data: bytes,
                                            errors: dict[str, str]) -> None:
    ticket_id = charged(t.cleo)
    before = snapshot(t)
    with pytest.raises(ValidationFailed) as err:
        attach(t.cleo, ticket_id, name, data)
    assert err.value.fields == errors
    assert snapshot(t) == before
    assert stored_files(t) == []


def test_the_largest_file_is_accepted(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    data = PNG[:8] + b"\x00" * (MAX_FILE_BYTES - 8)
    assert attach(t.cleo, ticket_id, "big.png", data).size == MAX_FILE_BYTES


@pytest.mark.parametrize(("name", "shown"), [
    ("../../x.png", "x.png"),
    ("..\\..\\x.png", "x.png"),
    ("/etc/passwd", "passwd.png"),
    ("invoice.exe", "invoice.png"),
    ("<img src=x onerror=alert(1)>.png", "img src_x onerror_alert_1.png"),
])
def test_a_clients_file_name_never_becomes_a_path(t: Desk, tmp_path: Path, name: str,
                                                   shown: str) -> None:
    ticket_id = charged(t.cleo)
    sent = attach(t.cleo, ticket_id, name, PNG)
    [row] = rows(TicketAttachment)
    assert sent.filename == row.filename == shown
    assert "/" not in row.filename and "\\" not in row.filename
    assert not any(part in row.stored_name for part in ("/", "\\", ".."))
    assert stored_files(t) == [row.stored_name]
    assert not (tmp_path / "x.png").exists()
    assert open_file(t.cleo, sent.id).path.parent == t.files


def test_files_go_with_the_next_message(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    png = attach(t.cleo, ticket_id, "photo.png", PNG)
    pdf = attach(t.cleo, ticket_id, "statement.pdf", PDF)
    assert [a.id for a in view(t.cleo, ticket_id).pending] == [png.id, pdf.id]
    assert view(t.staff, ticket_id).pending == []            # the staff's own pending list

    sent = reply(t.cleo, ticket_id, "Both attached")

    assert sent.pending == []
    assert sent.entries[-1].body == "Both attached"
    assert [a.id for a in sent.entries[-1].attachments] == [png.id, pdf.id]
    staff_sees = view(t.staff, ticket_id)
    assert [a.filename for a in staff_sees.entries[-1].attachments] == ["photo.png",
                                                                        "statement.pdf"]
    assert open_file(t.staff, pdf.id).path.read_bytes() == PDF
    with pytest.raises(NotFound):
        drop(t.cleo, png.id)                                 # sent: cannot be taken back

    # A file alone is a message too.
    only = attach(t.cleo, ticket_id, "more.png", PNG)
    alone = reply(t.cleo, ticket_id, "")
    assert (alone.entries[-1].body, [a.id for a in alone.entries[-1].attachments]) == (
        "", [only.id])

    # The staff's reply carries the staff's files, and the customer may open them.
    answer_file = attach(t.staff, ticket_id, "label.pdf", PDF)
    answered = reply(t.staff, ticket_id, "Here is your label")
    assert [a.id for a in answered.entries[-2].attachments] == [answer_file.id]
    assert open_file(t.cleo, answer_file.id).path.read_bytes() == PDF


def test_taking_back_a_pending_file(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    pending = attach(t.cleo, ticket_id, "wrong.png", PNG)
    [row] = rows(TicketAttachment)
    assert (t.files / row.stored_name).is_file()

    drop(t.cleo, pending.id)

    assert count(TicketAttachment) == 0
    assert stored_files(t) == []
    assert view(t.cleo, ticket_id).pending == []
    with pytest.raises(NotFound):
        drop(t.cleo, pending.id)
    with pytest.raises(NotFound):
        open_file(t.cleo, pending.id)


def test_at_most_a_few_files_per_message(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    for n in range(MAX_FILES_PER_MESSAGE):
        attach(t.cleo, ticket_id, f"{n}.png")
    # Another person's pending files do not count against the customer's.
    attach(t.staff, ticket_id, "staff.png")
    before = snapshot(t)

    with pytest.raises(ValidationFailed) as err:
        attach(t.cleo, ticket_id, "one too many.png")
    assert err.value.fields == {"file": "ticket.too_many_files"}
    assert snapshot(t) == before

    reply(t.cleo, ticket_id, "Three files")
    assert attach(t.cleo, ticket_id, "next message.png").filename == "next message.png"


def test_a_file_whose_transaction_does_not_commit_is_not_left_behind(t: Desk) -> None:
    """The file is written before its row commits: a use case that fails after it (here,
    one that attaches, then is refused) leaves no file and no row."""
    ticket_id = charged(t.cleo)
    kept = attach(t.cleo, ticket_id, "kept.png")
    before = snapshot(t)

    def attach_then_refuse(session: Session) -> None:
        tickets.attach(session, actor=t.cleo, ticket_id=ticket_id, filename="lost.png",
                       data=PNG)
        assert len(stored_files(t)) == 2          # on disk while the transaction is open
        raise DomainError("ticket.closed")

    with pytest.raises(DomainError):
        uow.run_write(attach_then_refuse)

    assert snapshot(t) == before
    assert [a.id for a in view(t.cleo, ticket_id).pending] == [kept.id]


def test_a_file_whose_commit_fails_is_not_left_behind(t: Desk) -> None:
    ticket_id = charged(t.cleo)
    before = snapshot(t)

    def attach_and_fail_the_commit(session: Session) -> None:
        tickets.attach(session, actor=t.cleo, ticket_id=ticket_id, filename="lost.png",
                       data=PNG)

        def refuse(_session: object) -> None:
            raise RuntimeError("the database went away")
        event.listen(session, "before_commit", refuse)

    with pytest.raises(RuntimeError):
        uow.run_write(attach_and_fail_the_commit)

    assert snapshot(t) == before
    assert stored_files(t) == []


# --- the staff inbox --------------------------------------------------------------------------


def test_inbox_filters_by_status_and_type(t: Desk) -> None:
    base = utcnow() + timedelta(days=5)
    waiting, shipped = place_order(t, t.cleo), place_order(t, t.cleo)
    fulfil(t.staff, shipped.id, "shipping", TRACKING)

    opened = charged(t.cleo, now=base)
    verifying = late_ticket(t.cleo, waiting.id, base + timedelta(minutes=1))
    answered = charged(t.dan, now=base + timedelta(minutes=2))
    reply(t.staff, answered, "Answer", now=base + timedelta(minutes=3))
    closed = charged(t.dan, now=base + timedelta(minutes=4))
    set_status(t.dan, closed, "closed", now=base + timedelta(minutes=5))
    auto = check_late(t.cleo, shipped.id, base + timedelta(minutes=6)).ticket_id
    assert auto > 0

    assert inbox(t.staff) == [auto, closed, answered, verifying, opened]
    assert inbox(t.staff, "active") == [auto, answered, verifying, opened]
    assert inbox(t.staff, "open") == [auto, opened]
    assert inbox(t.staff, "verifying") == [verifying]
    assert inbox(t.staff, "answered") == [answered]
    assert inbox(t.staff, "closed") == [closed]
    assert inbox(t.staff, kind="order_late") == [auto, verifying]
    assert inbox(t.staff, kind="charged_no_order") == [closed, answered, opened]
    assert inbox(t.staff, "open", "order_late") == [auto]
    assert inbox(t.staff, "active", "charged_no_order") == [answered, opened]
    assert inbox(t.admin, None, None) == inbox(t.staff)

    with uow.read_session() as session:
        found = {r.id: r for r in tickets.inbox(session, actor=t.staff)}
        assert tickets.open_count(session, actor=t.staff) == 4
    assert (found[answered].customer, found[answered].type, found[answered].status) == (
        "Dan Customer", "charged_no_order", "answered")
    assert (found[auto].order_id, found[opened].order_id) == (shipped.id, None)
    assert found[opened].unread is True

    for status, kind, errors in (("bogus", "", {"status": "field.choice_invalid"}),
                                 ("OPEN", "", {"status": "field.choice_invalid"}),
                                 ("Active", "", {"status": "field.choice_invalid"}),
                                 (["open"], "", {"status": "field.choice_invalid"}),
                                 ("", "late", {"type": "field.choice_invalid"}),
                                 ("open", 1, {"type": "field.choice_invalid"})):
        with pytest.raises(ValidationFailed) as err:
            inbox(t.staff, status, kind)
        assert err.value.fields == errors


def test_a_card_payment_held_at_stripe_is_not_voided_here(t: Desk) -> None:
    """A likely payment taken through Stripe is refunded or released there (the page asks
    Stripe, its webhook then changes the payment); the database never voids it directly."""
    ticket_id = charged(t.cleo)
    payment_id = add_payment(t.cleo, provider="stripe")
    with uow.write_session() as session, pytest.raises(DomainError) as err:
        tickets.void_payment(session, actor=t.staff, ticket_id=ticket_id, payment_id=payment_id)
    assert err.value.key == "payment.release_at_provider"
    assert payment_status(payment_id) == "approved"
