"""Many customers booking the last unit at the same moment: never two active orders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import SlotTaken
from reserve_app.models import AuditEntry, BookingOrder, OutboxMessage, RentalSettings
from reserve_app.services import rentals, uow
from reserve_app.services.rentals import booking as booking_module
from reserve_app.services.rentals import staff as staff_module

from .helpers import (
    TODAY,
    add_admin,
    add_rental_entry,
    add_unit_type,
    add_user,
    book,
    change_booking_status,
    count,
    day,
    rental_settings,
    rows,
    run_together,
)

THREADS = 50
ROUNDS = 20


def _customers(n: int) -> list[Actor]:
    return [add_user(f"Customer {i}", f"c{i}@example.com", Role.CUSTOMER) for i in range(n)]


def _overlapping(base: date, i: int) -> tuple[str, str]:
    """Thread i's period: all of them contain the day base + 1, so every two overlap."""
    start, end = base + timedelta(days=i % 2), base + timedelta(days=2 + i % 3)
    return start.isoformat(), end.isoformat()


def _race(customers: list[Actor], entry: int, unit_type: int, base: date) -> list[object]:
    def attempt(i: int) -> object:
        start, end = _overlapping(base, i)
        return book(customers[i], entry, unit_type, start, end)

    return run_together(len(customers), attempt)


def _active_in(base: date) -> list[BookingOrder]:
    return rows(BookingOrder, col(BookingOrder.status).in_(rentals.ACTIVE_VALUES),
                col(BookingOrder.start_date) < base + timedelta(days=5),
                col(BookingOrder.end_date) > base)


def _split(results: list[object]) -> tuple[list[rentals.BookingView], list[object]]:
    won = [r for r in results if isinstance(r, rentals.BookingView)]
    lost = [r for r in results if not isinstance(r, rentals.BookingView)]
    return won, lost


def test_fifty_customers_racing_for_the_last_unit_get_one_booking() -> None:
    admin = add_admin()
    unit_type, [unit] = add_unit_type(admin, "4x4 SUV", units=1)
    entry = add_rental_entry(admin, [unit_type])
    customers = _customers(THREADS)
    assert count(RentalSettings) == 0  # a fresh install: the first race runs on the defaults

    for n in range(ROUNDS):
        base = TODAY + timedelta(days=1 + 10 * n)
        won, lost = _split(_race(customers, entry, unit_type, base))

        assert len(won) == 1, (n, lost)
        assert all(isinstance(r, SlotTaken) and r.key == "rental.sold_out" for r in lost), (
            n, [r for r in lost if not isinstance(r, SlotTaken)])
        assert [(o.id, o.unit_id) for o in _active_in(base)] == [(won[0].id, unit)], n
        assert won[0].status == "pending", n

    assert count(BookingOrder) == ROUNDS
    assert count(OutboxMessage, OutboxMessage.kind == "booking_received") == ROUNDS
    assert count(AuditEntry, AuditEntry.action == "booking_placed") == ROUNDS


def test_fifty_customers_racing_for_two_units_get_two_bookings() -> None:
    admin = add_admin()
    rental_settings(admin, initial_status="confirmed")
    unit_type, units = add_unit_type(admin, "Van", units=2)
    entry = add_rental_entry(admin, [unit_type])
    base = TODAY + timedelta(days=1)

    won, lost = _split(_race(_customers(THREADS), entry, unit_type, base))

    assert len(won) == 2, lost
    assert all(isinstance(r, SlotTaken) for r in lost), lost
    assert sorted(o.unit_id for o in _active_in(base)) == sorted(units)
    assert {o.status for o in _active_in(base)} == {"confirmed"}
    assert count(BookingOrder) == 2


def _order(customer: Actor, unit_type: int, unit: int, start: int, end: int,
           status: str) -> BookingOrder:
    return BookingOrder(customer_id=customer.user_id, unit_type_id=unit_type, unit_id=unit,
                        start_date=TODAY + timedelta(days=start),
                        end_date=TODAY + timedelta(days=end), status=status,
                        price_per_day=80, tax_rate=10, subtotal=80, tax=8, total=88,
                        currency="EUR")


def _insert(order: BookingOrder) -> None:
    with uow.write_session() as session:
        session.add(order)
        session.commit()


def test_the_database_refuses_overlaps_the_service_did_not_check(db_url: str) -> None:
    """PostgreSQL: the exclusion constraint; SQLite: the triggers. Same name, same error."""
    admin = add_admin()
    customer = add_user("Cleo", "cleo@example.com", Role.CUSTOMER)
    unit_type, [unit, other_unit] = add_unit_type(admin, "4x4 SUV", units=2)
    _insert(_order(customer, unit_type, unit, 10, 15, "confirmed"))

    for start, end, status in [(12, 13, "pending"), (5, 11, "confirmed"), (14, 20, "pending"),
                               (10, 15, "confirmed"), (0, 30, "pending")]:
        with pytest.raises(IntegrityError, match="booking_orders_no_overlap"):
            _insert(_order(customer, unit_type, unit, start, end, status))

    # Not active, touching [start, end) ends, or another unit: allowed.
    for start, end, status, on in [(12, 13, "cancelled", unit), (11, 14, "finished", unit),
                                   (5, 10, "confirmed", unit), (15, 16, "pending", unit),
                                   (10, 15, "confirmed", other_unit)]:
        _insert(_order(customer, unit_type, on, start, end, status))
    assert count(BookingOrder) == 6

    # Making an overlapping inactive order active again is refused by the database too.
    with uow.write_session() as session:
        cancelled = session.exec(select(BookingOrder).where(
            BookingOrder.status == "cancelled")).one()
        cancelled.status = "pending"
        with pytest.raises(IntegrityError, match="booking_orders_no_overlap"):
            session.commit()


# The database's guard reached through the use cases: their check is skipped (as if another
# transaction had won the unit in between), so only the database refuses. The refused insert
# or update ends a savepoint, not the unit of work: the use case answers SlotTaken and the
# same transaction goes on and commits what else it did.

def test_a_booking_the_database_refuses_is_sold_out_and_the_work_goes_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    admin = add_admin()
    unit_type, [unit] = add_unit_type(admin, "4x4 SUV", units=1)
    other_type, [other_unit] = add_unit_type(admin, "Van", units=1)
    entry = add_rental_entry(admin, [unit_type, other_type])
    cleo, dan = _customers(2)
    first = book(cleo, entry, unit_type, day(1), day(4))

    with uow.write_session() as session:
        van = rentals.place_booking(session, actor=dan, entry_id=entry,
                                    unit_type_id=other_type, start=day(2), end=day(3),
                                    answers={}, today=TODAY)
        monkeypatch.setattr(booking_module, "_free_unit_id",
                            lambda session, type_id, period: unit)
        with pytest.raises(SlotTaken) as err:
            rentals.place_booking(session, actor=dan, entry_id=entry, unit_type_id=unit_type,
                                  start=day(2), end=day(3), answers={}, today=TODAY)
        assert err.value.key == "rental.sold_out"
        assert session.get_transaction() is not None  # still in the same transaction

    assert sorted((o.id, o.unit_id) for o in rows(BookingOrder)) == [
        (first.id, unit), (van.id, other_unit)]
    assert count(AuditEntry, AuditEntry.action == "booking_placed") == 2
    assert count(OutboxMessage, OutboxMessage.kind == "booking_received") == 2


def test_a_status_change_the_database_refuses_is_taken_and_the_work_goes_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    admin = add_admin()
    staff = add_user("Sam", "sam@example.com", Role.STAFF)
    unit_type, [unit] = add_unit_type(admin, "4x4 SUV", units=1)
    entry = add_rental_entry(admin, [unit_type])
    cleo, dan = _customers(2)
    first = book(cleo, entry, unit_type, day(1), day(4))
    change_booking_status(staff, first.id, "cancelled")
    second = book(dan, entry, unit_type, day(2), day(5))
    assert second.unit == first.unit
    monkeypatch.setattr(staff_module, "_unit_taken", lambda session, order, period: False)

    with uow.write_session() as session:
        done = rentals.change_status(session, actor=staff, order_id=second.id,
                                     status="confirmed", note="phoned")
        with pytest.raises(SlotTaken) as err:
            rentals.change_status(session, actor=staff, order_id=first.id, status="pending")
        assert err.value.key == "rental.unit_taken_meanwhile"

    assert done.booking.status == "confirmed"
    assert {o.id: o.status for o in rows(BookingOrder)} == {first.id: "cancelled",
                                                             second.id: "confirmed"}
    assert [a.new_value for a in rows(AuditEntry, AuditEntry.action == "status_changed")] == [
        "cancelled", "confirmed"]
