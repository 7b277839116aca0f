"""Hoarding (issue 15, item 6): limits on unpaid bookings and pending requests per customer,
and unpaid holds that expire in the background, race-safe against a payment or a staff
member acting at the same moment."""

from __future__ import annotations

from datetime import datetime, timedelta

import anyio
import pytest
from sqlmodel import col

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import DomainError
from reserve_app.i18n import translate
from reserve_app.models import (
    Appointment,
    AuditEntry,
    BookingOrder,
    Invoice,
    OutboxMessage,
    Payment,
    Product,
    ShopOrder,
)
from reserve_app.models.base import utcnow
from reserve_app.services import holds, rentals, shop, uow
from reserve_app.services.rentals import expiry as rental_expiry
from reserve_app.services.shop import expiry as shop_expiry

from .helpers import (
    BUSINESS_TZ,
    add_admin,
    add_rental_entry,
    add_service,
    add_unit_type,
    add_user,
    book,
    book_appointment,
    change_booking_status,
    configure,
    count,
    day,
    local_start,
    monday_ahead,
    rows,
    run_together,
    set_hours,
    weekly_hours,
)

LATER = timedelta(hours=49)   # past the 48 h holds of the test settings


@pytest.fixture
def cars() -> tuple[Actor, Actor, int, int]:
    """An admin, a customer, a rental entry and a type with ten units."""
    admin = add_admin()
    cleo = add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER)
    van, _ = add_unit_type(admin, "Van", "50.00", "10", units=10)
    return admin, cleo, add_rental_entry(admin, [van]), van


def _pay(actor: Actor, order_id: int) -> rentals.BookingView:
    with uow.write_session() as session:
        return rentals.pay_booking(session, actor=actor, order_id=order_id)


def _approve(admin: Actor, order_id: int) -> rentals.OrderDetail:
    [payment] = _payments_of(order_id)
    with uow.write_session() as session:
        return rentals.approve_booking_payment(session, actor=admin, order_id=order_id,
                                               payment_id=payment.id)


def _invoice_of(order_id: int) -> Invoice | None:
    found = rows(Invoice, Invoice.order_kind == "booking", Invoice.order_id == order_id)
    return found[0] if found else None


def _payments_of(order_id: int) -> list[Payment]:
    invoice = _invoice_of(order_id)
    return rows(Payment, Payment.invoice_id == invoice.id) if invoice else []


def _audit(entity: str, entity_id: int) -> list[tuple[int | None, str, str, str]]:
    return [(a.actor_id, a.action, a.old_value, a.new_value)
            for a in rows(AuditEntry, AuditEntry.entity == entity,
                          AuditEntry.entity_id == entity_id)]


def _status(order_id: int) -> str:
    return rows(BookingOrder, BookingOrder.id == order_id)[0].status


# --- limits ---------------------------------------------------------------------------------


def test_a_customer_keeps_at_most_the_limit_of_unpaid_bookings(
        cars: tuple[Actor, Actor, int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    configure(monkeypatch, MAX_UNPAID_BOOKINGS=2)
    admin, cleo, entry, van = cars
    first = book(cleo, entry, van, day(1), day(2))
    book(cleo, entry, van, day(3), day(4))
    before = (count(BookingOrder), count(AuditEntry), count(OutboxMessage))

    with pytest.raises(DomainError) as err:
        book(cleo, entry, van, day(5), day(6))

    assert (err.value.key, err.value.params) == ("rental.too_many_unpaid", {"limit": 2})
    assert (count(BookingOrder), count(AuditEntry), count(OutboxMessage)) == before
    assert "2 unpaid bookings" in translate("en", err.value.key, **err.value.params)
    assert "2 حجوزات غير مدفوعة" in translate("ar", err.value.key, **err.value.params)
    dan = add_user("Dan Driver", "dan@example.com", Role.CUSTOMER)
    book(dan, entry, van, day(5), day(6))                  # the limit is per customer

    _pay(cleo, first.id)
    _approve(admin, first.id)                              # a paid booking is no hoard
    third = book(cleo, entry, van, day(5), day(6))
    change_booking_status(admin, third.id, "cancelled")    # nor is a cancelled one
    book(cleo, entry, van, day(7), day(8))
    with pytest.raises(DomainError):
        book(cleo, entry, van, day(9), day(10))


def test_parallel_bookings_of_one_customer_stop_exactly_at_the_limit(
        cars: tuple[Actor, Actor, int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    configure(monkeypatch, MAX_UNPAID_BOOKINGS=3)
    _admin, cleo, entry, van = cars

    results = run_together(10, lambda i: book(cleo, entry, van, day(1 + 2 * i), day(2 + 2 * i)))

    won = [r for r in results if isinstance(r, rentals.BookingView)]
    lost = [r for r in results if not isinstance(r, rentals.BookingView)]
    assert len(won) == 3, results
    assert all(isinstance(r, DomainError) and r.key == "rental.too_many_unpaid" for r in lost)
    assert count(BookingOrder) == 3


def _request_service() -> tuple[Actor, int, int]:
    admin = add_admin()
    staff = add_user("Stan Staff", "stan@example.com", Role.STAFF)
    set_hours(admin, staff.user_id, weekly_hours(("09:00", "17:00")))
    return admin, staff.user_id, add_service(admin, "Guided test drive", [staff.user_id],
                                             approval=True)


def test_a_customer_keeps_at_most_the_limit_of_pending_requests(
        monkeypatch: pytest.MonkeyPatch) -> None:
    configure(monkeypatch, MAX_PENDING_REQUESTS=2, DEFAULT_TIMEZONE=BUSINESS_TZ)
    admin, staff_id, service = _request_service()
    instant = add_service(admin, "Quick check", [staff_id])      # Book Now: not a request
    cleo = add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER)
    monday = monday_ahead()
    book_appointment(cleo, service, staff_id, local_start(monday, "09:00"))
    book_appointment(cleo, service, staff_id, local_start(monday, "10:00"))
    before = (count(Appointment), count(AuditEntry), count(OutboxMessage))

    with pytest.raises(DomainError) as err:
        book_appointment(cleo, service, staff_id, local_start(monday, "11:00"))

    assert (err.value.key, err.value.params) == ("appointment.too_many_requests", {"limit": 2})
    assert (count(Appointment), count(AuditEntry), count(OutboxMessage)) == before
    assert "2 requests waiting" in translate("en", err.value.key, **err.value.params)
    assert "2 طلبات بانتظار الموافقة" in translate("ar", err.value.key, **err.value.params)
    book_appointment(cleo, instant, staff_id, local_start(monday, "12:00"))
    dan = add_user("Dan Driver", "dan@example.com", Role.CUSTOMER)
    book_appointment(dan, service, staff_id, local_start(monday, "11:00"))

    results = run_together(6, lambda i: book_appointment(
        dan, service, staff_id, local_start(monday, f"{13 + i % 4}:00")))
    assert sum(isinstance(r, DomainError) and r.key == "appointment.too_many_requests"
               for r in results) >= 5   # dan had one: at most one more gets through
    assert count(Appointment, col(Appointment.customer_id) == dan.user_id,
                 col(Appointment.status) == "pending") == 2


# --- booking expiry -------------------------------------------------------------------------


def test_an_unpaid_pending_booking_expires_with_an_email_and_audit_rows(
        cars: tuple[Actor, Actor, int, int]) -> None:
    admin, cleo, entry, van = cars
    unpaid = book(cleo, entry, van, day(1), day(3))
    started = book(cleo, entry, van, day(1), day(3))
    _pay(cleo, started.id)                                  # a manual payment not approved
    paid = book(cleo, entry, van, day(1), day(3))
    _pay(cleo, paid.id)
    _approve(admin, paid.id)
    confirmed = book(cleo, entry, van, day(1), day(3))
    change_booking_status(admin, confirmed.id, "confirmed")

    assert holds.sweep(utcnow() + timedelta(hours=47)) == (0, 0)   # not yet
    assert holds.sweep(utcnow() + LATER) == (2, 0)

    assert [_status(o.id) for o in (unpaid, started, paid, confirmed)] == [
        "cancelled", "cancelled", "pending", "confirmed"]
    assert _audit("booking", unpaid.id)[-1] == (None, "booking_expired", "pending",
                                                "cancelled")
    [payment] = _payments_of(started.id)
    assert (payment.status, _invoice_of(started.id).status) == ("void", "void")
    assert _audit("payment", payment.id or 0) == [(None, "payment_expired", "pending", "void")]
    mails = rows(OutboxMessage, OutboxMessage.kind == "booking_expired")
    assert sorted((m.to_email, m.subject) for m in mails) == [
        ("cleo@example.com", f"Booking {unpaid.id} cancelled: not paid"),
        ("cleo@example.com", f"Booking {started.id} cancelled: not paid")]
    assert "48 hours" in mails[0].body
    assert holds.sweep(utcnow() + LATER) == (0, 0)          # done once

    with pytest.raises(DomainError):                        # the expired payment is refused
        _approve(admin, started.id)
    with pytest.raises(DomainError) as err:
        _pay(cleo, unpaid.id)
    assert err.value.key == "rental.not_payable"


def test_expiry_is_off_with_zero_hours(cars: tuple[Actor, Actor, int, int],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    configure(monkeypatch, BOOKING_HOLD_HOURS=0, SHOP_ORDER_HOLD_HOURS=0)
    _admin, cleo, entry, van = cars
    order = book(cleo, entry, van, day(1), day(3))
    assert holds.sweep(utcnow() + timedelta(days=400)) == (0, 0)
    assert _status(order.id) == "pending"


def test_the_lifespan_task_sweeps_in_the_background(
        cars: tuple[Actor, Actor, int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    configure(monkeypatch, BOOKING_HOLD_HOURS=1, HOLD_SWEEP_SECONDS=1)
    _admin, cleo, entry, van = cars
    order = book(cleo, entry, van, day(1), day(3))
    with uow.write_session() as session:          # placed two hours ago
        row = session.get(BookingOrder, order.id)
        assert row is not None
        row.created_at = utcnow() - timedelta(hours=2)

    async def run_for_a_moment() -> None:
        with anyio.move_on_after(3):
            await holds.run_expiry()

    anyio.run(run_for_a_moment)

    assert _status(order.id) == "cancelled"
    assert _audit("booking", order.id)[-1][1] == "booking_expired"


def _expire(order_id: int, now: datetime) -> bool:
    with uow.write_session() as session:
        return rental_expiry.expire_booking(session, order_id=order_id, now=now)


def test_expiry_and_payment_approval_at_the_same_moment_have_one_winner(
        cars: tuple[Actor, Actor, int, int]) -> None:
    admin, cleo, entry, van = cars
    later = utcnow() + LATER
    outcomes = {"paid": 0, "expired": 0}
    for n in range(8):
        order = book(cleo, entry, van, day(1 + 3 * n), day(2 + 3 * n))
        _pay(cleo, order.id)

        results = run_together(2, lambda i, oid=order.id: _expire(oid, later) if i == 0
                               else _approve(admin, oid))

        expired, approved = results[0] is True, isinstance(results[1], rentals.OrderDetail)
        assert expired != approved, results                 # exactly one of them won
        [payment] = _payments_of(order.id)
        invoice = _invoice_of(order.id)
        if expired:
            assert isinstance(results[1], DomainError), results
            assert (_status(order.id), payment.status, invoice.status) == (
                "cancelled", "void", "void")
            outcomes["expired"] += 1
        else:
            assert results[0] is False, results
            assert (_status(order.id), payment.status, invoice.status) == (
                "pending", "approved", "paid")
            outcomes["paid"] += 1
    assert sum(outcomes.values()) == 8


def test_paying_while_the_booking_expires_leaves_no_live_payment_on_it(
        cars: tuple[Actor, Actor, int, int]) -> None:
    _admin, cleo, entry, van = cars
    later = utcnow() + LATER
    for n in range(8):
        order = book(cleo, entry, van, day(1 + 3 * n), day(2 + 3 * n))

        results = run_together(2, lambda i, oid=order.id: _expire(oid, later) if i == 0
                               else _pay(cleo, oid))

        assert results[0] is True, results                  # a pending payment is no payment
        assert _status(order.id) == "cancelled"
        assert [p.status for p in _payments_of(order.id)] in ([], ["void"]), results
        if isinstance(results[1], DomainError):
            assert results[1].key == "rental.not_payable"
        invoice = _invoice_of(order.id)
        assert invoice is None or invoice.status == "void"


# --- shop orders ----------------------------------------------------------------------------


@pytest.fixture
def chips() -> tuple[Actor, Actor, int]:
    admin = add_admin()
    cleo = add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER)
    with uow.write_session() as session:
        shop.save_settings(session, actor=admin, enabled=True, methods=["cash"])
    with uow.write_session() as session:
        product = shop.save_product(session, actor=admin, name="Chips", kind="product",
                                    price="1.99", tax_rate="7.5", stock="5")
    return admin, cleo, product


def _order(cleo: Actor, product: int, quantity: int) -> int:
    with uow.write_session() as session:
        return shop.place_order(session, actor=cleo, method="cash", note="", items=[
            {"product_id": product, "pay_with": "money", "quantity": quantity}])


def _stock(product: int) -> int | None:
    return rows(Product, Product.id == product)[0].stock


def _accept(admin: Actor, order_id: int) -> shop.OrderView:
    with uow.write_session() as session:
        return shop.act(session, actor=admin, order_id=order_id, action="accept")


def test_a_shop_order_nobody_accepted_gives_its_stock_back(
        chips: tuple[Actor, Actor, int]) -> None:
    admin, cleo, product = chips
    waiting = _order(cleo, product, 3)
    accepted = _order(cleo, product, 2)
    _accept(admin, accepted)
    assert _stock(product) == 0

    assert holds.sweep(utcnow() + timedelta(hours=47)) == (0, 0)
    assert holds.sweep(utcnow() + LATER) == (0, 1)

    assert [rows(ShopOrder, ShopOrder.id == o)[0].status for o in (waiting, accepted)] == [
        "cancelled", "accepted"]
    assert _stock(product) == 3
    assert _audit("shop_order", waiting)[-1] == (None, "order_expired", "pending", "cancelled")
    assert holds.sweep(utcnow() + LATER) == (0, 0)
    assert _stock(product) == 3                              # given back once


def test_expiry_and_accepting_an_order_at_the_same_moment_have_one_winner(
        chips: tuple[Actor, Actor, int]) -> None:
    admin, cleo, product = chips
    later = utcnow() + LATER
    for _ in range(5):
        order = _order(cleo, product, 1)

        def work(i: int, oid: int = order) -> object:
            if i == 0:
                with uow.write_session() as session:
                    return shop_expiry.expire_order(session, order_id=oid, now=later)
            return _accept(admin, oid)

        results = run_together(2, work)
        expired, accepted = results[0] is True, isinstance(results[1], shop.OrderView)
        assert expired != accepted, results
        status = rows(ShopOrder, ShopOrder.id == order)[0].status
        assert status == ("cancelled" if expired else "accepted")
        if expired:
            assert isinstance(results[1], DomainError)
    assert _stock(product) == 5 - count(ShopOrder, col(ShopOrder.status) == "accepted")
