"""Race benchmark: many customers book the last free unit at the same moment, 1,000 times.

Each race releases N threads (10..20, random) at once with a barrier; every thread calls
services.rentals.place_booking for overlapping periods of a unit type whose other units are
all taken. Exactly one may win. At the end one SQL query counts active bookings of the same
unit with overlapping dates (double bookings): the exit code is 1 if there is any.

    .venv/bin/python bench/rental_race.py                # fresh SQLite file
    TEST_DATABASE_URL=postgresql://... .venv/bin/python bench/rental_race.py --postgres
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import _setup
from sqlalchemy import text

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import SlotTaken
from reserve_app.models import BookingOrder
from reserve_app.services import rentals, uow
from reserve_app.services.rentals import catalog as rental_catalog

DOUBLE_BOOKINGS = text("""
    SELECT COUNT(*) FROM booking_orders a
    JOIN booking_orders b ON b.unit_id = a.unit_id AND b.id > a.id
    WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')
      AND a.start_date < b.end_date AND b.start_date < a.end_date
""")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--races", type=int, default=1000)
    parser.add_argument("--min-threads", type=int, default=10)
    parser.add_argument("--max-threads", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    _setup.add_arguments(parser)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with _setup.database(args) as url:
        today = datetime.now(UTC).date()
        entry, unit_type, last_unit = _catalogue(today, args.races)
        customers = _setup.add_users([f"Customer {i}" for i in range(args.max_threads)],
                                     Role.CUSTOMER)
        won_ms: list[float] = []
        lost_ms: list[float] = []
        winners: Counter[int] = Counter()
        errors: Counter[str] = Counter()
        started = time.perf_counter()
        for race in range(args.races):
            base = today + timedelta(days=1 + 3 * race)
            n = rng.randint(args.min_threads, args.max_threads)
            results = _race(customers[:n], entry, unit_type, base, today)
            winners[sum(1 for ok, _, _ in results if ok)] += 1
            for ok, ms, error in results:
                (won_ms if ok else lost_ms).append(ms)
                if error:
                    errors[error] += 1
        elapsed = time.perf_counter() - started

        with uow.read_session() as session:
            doubles = int(session.exec(DOUBLE_BOOKINGS).one()[0])
            on_last = int(session.exec(text(
                "SELECT COUNT(*) FROM booking_orders WHERE unit_id = :u"
            ).bindparams(u=last_unit)).one()[0])

    attempts = len(won_ms) + len(lost_ms)
    print(f"rental_race on {_setup.backend(url)}: {args.races} races of "
          f"{args.min_threads}..{args.max_threads} threads for the last free unit")
    print(f"  races run                  {args.races}")
    print(f"  booking attempts           {attempts} in {elapsed:.1f} s "
          f"({attempts / elapsed:.0f}/s)")
    print(f"  races by number of winners {dict(sorted(winners.items()))}")
    print(f"  bookings on the last unit  {on_last}")
    print(f"  refusals other than SlotTaken {dict(errors) or 0}")
    print(f"  double bookings found      {doubles}")
    print(f"  booking commit latency, successful: p50 {_setup.percentile(won_ms, 50):.1f} ms, "
          f"p95 {_setup.percentile(won_ms, 95):.1f} ms, max {max(won_ms, default=0):.1f} ms")
    print(f"  refused attempt latency (SlotTaken): p50 {_setup.percentile(lost_ms, 50):.1f} ms, "
          f"p95 {_setup.percentile(lost_ms, 95):.1f} ms")
    return 1 if doubles else 0


def _catalogue(today: date, races: int) -> tuple[int, int, int]:
    """A unit type with three units; two are booked for the whole horizon already."""
    [admin] = _setup.add_users(["Bench Admin"], Role.ADMIN)
    with uow.write_session() as session:
        type_id = rental_catalog.save_unit_type(session, actor=admin, name="4x4 SUV",
                                                description="", photo_url="",
                                                price_per_day="80.00", tax_rate="10")
    units = []
    for name in ("SUV 1", "SUV 2", "SUV 3"):
        with uow.write_session() as session:
            units.append(rental_catalog.add_unit(session, actor=admin, unit_type_id=type_id,
                                                 name=name))
    with uow.write_session() as session:
        entry = rental_catalog.save_rental_entry(session, actor=admin, title="Book a 4x4",
                                                 unit_type_ids=[type_id])
    with uow.write_session() as session:
        rental_catalog.save_settings(session, actor=admin, booking_enabled=True,
                                     initial_status="pending", payments_enabled=False,
                                     max_days=30)
    with uow.write_session() as session:
        for unit in units[:2]:
            session.add(BookingOrder(
                customer_id=admin.user_id, unit_type_id=type_id, unit_id=unit, start_date=today,
                end_date=today + timedelta(days=3 * races + 10), status="confirmed",
                price_per_day=Decimal(80), tax_rate=Decimal(10), subtotal=Decimal(0),
                tax=Decimal(0), total=Decimal(0), currency="EUR"))
        session.commit()
    return entry, type_id, units[2]


def _race(customers: list[Actor], entry: int, unit_type: int, base: date,
          today: date) -> list[tuple[bool, float, str]]:
    """Run one race; per thread: won?, milliseconds from the call to its commit, error."""
    barrier = threading.Barrier(len(customers))
    results: list[tuple[bool, float, str]] = [(False, 0.0, "")] * len(customers)

    def attempt(i: int) -> None:
        # Every period contains the day base + 1, so every two of them overlap.
        start = (base + timedelta(days=i % 2)).isoformat()
        end = (base + timedelta(days=2 + (i // 2) % 2)).isoformat()
        barrier.wait()
        began = time.perf_counter()
        try:
            with uow.write_session() as session:
                rentals.place_booking(session, actor=customers[i], entry_id=entry,
                                      unit_type_id=unit_type, start=start, end=end,
                                      answers={}, today=today)
            results[i] = (True, (time.perf_counter() - began) * 1000, "")
        except SlotTaken:
            results[i] = (False, (time.perf_counter() - began) * 1000, "")
        except Exception as exc:  # noqa: BLE001 - counted and printed
            results[i] = (False, (time.perf_counter() - began) * 1000,
                          f"{type(exc).__name__}: {str(exc)[:80]}")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(customers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


if __name__ == "__main__":
    sys.exit(main())
