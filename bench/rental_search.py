"""Search benchmark: services.rentals.search on 1,000 units and 1,000,000 booking orders.

Fills 50 unit types x 20 units and 1,000 booking orders per unit (non-overlapping per unit,
mixed statuses, about 15 years of bookings), then times the storefront search for random
periods and, beside it, a bare SQL query that answers the same question (free units per unit
type for the period) in two forms: the plain NOT EXISTS, and the one that looks only at each
unit's latest active booking starting before the period's end (active bookings of a unit never
overlap, so that one decides). Prints p50/p95 of each, the ratio of the service to the faster
bare form, and the query plans.

    .venv/bin/python bench/rental_search.py                # fresh SQLite file
    TEST_DATABASE_URL=postgresql://... .venv/bin/python bench/rental_search.py --postgres
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta

import _setup
from sqlalchemy import event, text

from reserve_app.domain.accounts import Role
from reserve_app.services import rentals, uow
from reserve_app.services.platform import db
from reserve_app.services.rentals import catalog as rental_catalog

TYPES, UNITS_PER_TYPE = 50, 20
TODAY = date(2030, 1, 1)  # search(today=...): every generated booking lies after it
HORIZON_DAYS = 5000       # searched periods start within this many days
TARGET_P95_MS, TARGET_RATIO = 20.0, 2.0
STATUSES = ["confirmed"] * 45 + ["pending"] * 20 + ["finished"] * 25 + ["cancelled"] * 10

ORDER_COLUMNS = ("customer_id, unit_type_id, unit_id, start_date, end_date, status, "
                 "price_per_day, tax_rate, subtotal, tax, total, currency, answers, created_at")

_OFFERED = """
    SELECT u.unit_type_id, COUNT(*) FROM units u
    JOIN menu_entry_unit_types m ON m.unit_type_id = u.unit_type_id AND m.menu_entry_id = :entry
    JOIN unit_types t ON t.id = u.unit_type_id AND t.active
    WHERE u.active AND {free}
    GROUP BY u.unit_type_id
"""
BARE = {
    "bare NOT EXISTS": _OFFERED.format(free="""NOT EXISTS (
        SELECT 1 FROM booking_orders b
        WHERE b.unit_id = u.id AND b.status IN ('pending', 'confirmed')
          AND b.start_date < :end AND b.end_date > :start)"""),
    "bare latest booking": _OFFERED.format(free="""COALESCE((
        SELECT b.end_date FROM booking_orders b
        WHERE b.unit_id = u.id AND b.status IN ('pending', 'confirmed') AND b.start_date < :end
        ORDER BY b.unit_id DESC, b.start_date DESC LIMIT 1), :start) <= :start"""),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders-per-unit", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--budget", type=float, default=60.0,
                        help="stop timing the service search after this many seconds")
    parser.add_argument("--seed", type=int, default=1)
    _setup.add_arguments(parser)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with _setup.database(args) as url:
        sqlite = url.startswith("sqlite")
        began = time.perf_counter()
        entry = _catalogue()
        orders = _fill(rng, args.orders_per_unit, sqlite)
        fill_s = time.perf_counter() - began

        periods = []
        for _ in range(args.searches):
            start = TODAY + timedelta(days=rng.randrange(HORIZON_DAYS))
            periods.append((start, start + timedelta(days=rng.randint(1, 14))))

        bare_ms: dict[str, list[float]] = {}
        bare_results: dict[str, list[dict[int, int]]] = {}
        for name, sql in BARE.items():
            for start, end in periods[:3]:  # warm the caches and the connection pool
                _bare(sql, entry, start, end, sqlite)
            bare_ms[name], bare_results[name] = [], []
            for start, end in periods:
                t0 = time.perf_counter()
                bare_results[name].append(_bare(sql, entry, start, end, sqlite))
                bare_ms[name].append((time.perf_counter() - t0) * 1000)
        expected_all = next(iter(bare_results.values()))
        bare_agree = all(r == expected_all for r in bare_results.values())

        # The service: one untimed warm-up search first, all of it within the time budget.
        search_ms, agree = [], True
        with _deadline(args.budget, sqlite) as expired, _captured() as statements:
            runs = zip([periods[-1], *periods], [expected_all[-1], *expected_all], strict=True)
            for n, ((start, end), expected) in enumerate(runs):
                t0 = time.perf_counter()
                try:
                    offers = _search(entry, start, end)
                except Exception:
                    if expired():
                        break
                    raise
                if n:
                    search_ms.append((time.perf_counter() - t0) * 1000)
                agree &= {o.unit_type_id: o.free_units for o in offers} == expected
                if expired():
                    break
        statement = statements[0]

        plans = _plans(statement, entry, periods[0], sqlite)

    s50, s95 = _setup.percentile(search_ms, 50), _setup.percentile(search_ms, 95)
    print(f"rental_search on {_setup.backend(url)}: {TYPES} unit types x {UNITS_PER_TYPE} units, "
          f"{orders:,} booking orders (filled in {fill_s:.0f} s), {len(periods)} random periods "
          f"of 1..14 days")
    if search_ms:
        print(f"  service search (rentals.search, own session)  p50 {s50:7.1f} ms   "
              f"p95 {s95:7.1f} ms   ({len(search_ms)} of {len(periods)} periods)")
    else:
        print(f"  service search (rentals.search, own session)  no search finished within the "
              f"{args.budget:.0f} s budget")
    if 0 < len(search_ms) < len(periods):
        print(f"    timing stopped after the {args.budget:.0f} s budget; the interrupted search "
              f"is not counted")
    for name, times in bare_ms.items():
        print(f"  {name + ' (one query)':<45} p50 {_setup.percentile(times, 50):7.1f} ms   "
              f"p95 {_setup.percentile(times, 95):7.1f} ms")
    best = min(bare_ms, key=lambda n: _setup.percentile(bare_ms[n], 95))
    b50, b95 = _setup.percentile(bare_ms[best], 50), _setup.percentile(bare_ms[best], 95)
    if search_ms:
        print(f"  ratio service / {best}: p50 {s50 / b50:.1f}x, p95 {s95 / b95:.1f}x")
    print(f"  results agree: bare forms {'yes' if bare_agree else 'NO'}, service "
          + ("n/a" if not search_ms else "yes" if agree else "NO"))
    met = len(search_ms) == len(periods) and s95 <= TARGET_P95_MS and s95 <= TARGET_RATIO * b95
    print(f"  target (service p95 <= {TARGET_P95_MS:.0f} ms and <= {TARGET_RATIO:.0f}x the faster "
          f"bare query): {'met' if met else 'MISSED'}")
    for name, plan in plans:
        print(f"\n  query plan, {name}:")
        for line in plan:
            print(f"      {line}")
    return 0


def _catalogue() -> int:
    """Unit types and the menu entry through the admin services; units in one insert."""
    [admin] = _setup.add_users(["Bench Admin"], Role.ADMIN)
    type_ids = []
    for n in range(TYPES):
        with uow.write_session() as session:
            type_ids.append(rental_catalog.save_unit_type(
                session, actor=admin, name=f"Type {n:02d}", description="", photo_url="",
                price_per_day=f"{40 + n}.50", tax_rate="10"))
    with uow.write_session() as session:
        session.exec(text("INSERT INTO units (unit_type_id, name, active) "
                          "VALUES (:t, :name, :active)"),
                     params=[{"t": t, "name": f"Unit {t}-{k}", "active": True}
                             for t in type_ids for k in range(UNITS_PER_TYPE)])
        session.commit()
    with uow.write_session() as session:
        entry = rental_catalog.save_rental_entry(session, actor=admin, title="Rent",
                                                 unit_type_ids=type_ids)
    with uow.write_session() as session:
        rental_catalog.save_settings(session, actor=admin, booking_enabled=True,
                                     initial_status="pending", payments_enabled=False,
                                     max_days=30)
    return entry


def _orders(rng: random.Random, per_unit: int, sqlite: bool) -> Iterator[tuple]:
    """Non-overlapping bookings per unit: 1..7 days each, 0..3 days apart, mixed statuses."""
    with uow.read_session() as session:
        customer = session.exec(text("SELECT MIN(id) FROM users")).one()[0]
        units = session.exec(text("SELECT id, unit_type_id FROM units ORDER BY id")).all()
    created = "2029-12-01 10:00:00.000000" if sqlite else "2029-12-01 10:00:00+00"
    for unit_id, type_id in units:
        day = rng.randrange(4)
        for _ in range(per_unit):
            days = rng.randint(1, 7)
            start, end = TODAY + timedelta(days=day), TODAY + timedelta(days=day + days)
            subtotal = 80 * days
            yield (customer, type_id, unit_id, start.isoformat(), end.isoformat(),
                   rng.choice(STATUSES), 80, 10, subtotal, subtotal // 10,
                   subtotal + subtotal // 10, "EUR", "{}", created)
            day += days + rng.randint(0, 3)


def _fill(rng: random.Random, per_unit: int, sqlite: bool) -> int:
    """Plain INSERTs in large batches on the driver connection (no COPY)."""
    rows = _orders(rng, per_unit, sqlite)
    total = 0
    with db.engine().connect() as conn:
        raw = conn.connection.driver_connection
        cur = raw.cursor()
        if sqlite:
            cur.execute("BEGIN")
            marks = ", ".join(["?"] * 14)
            while batch := [r for _, r in zip(range(50_000), rows, strict=False)]:
                cur.executemany(f"INSERT INTO booking_orders ({ORDER_COLUMNS}) VALUES ({marks})",
                                batch)
                total += len(batch)
            cur.execute("COMMIT")
        else:
            one = "(" + ", ".join(["%s"] * 14) + ")"
            while batch := [r for _, r in zip(range(2_000), rows, strict=False)]:
                cur.execute(f"INSERT INTO booking_orders ({ORDER_COLUMNS}) VALUES "
                            + ", ".join([one] * len(batch)), [v for r in batch for v in r])
                total += len(batch)
            raw.commit()
            cur.execute("ANALYZE")  # what autovacuum does after a bulk load
            raw.commit()
    return total


def _search(entry: int, start: date, end: date) -> list[rentals.OfferView]:
    with uow.read_session() as session:
        return rentals.search(session, entry_id=entry, start=start.isoformat(),
                              end=end.isoformat(), today=TODAY)


def _driver_sql(sql: str, sqlite: bool) -> str:
    """`:name` placeholders as the driver wants them."""
    return sql if sqlite else re.sub(r":(\w+)", r"%(\1)s", sql)


def _bare(sql: str, entry: int, start: date, end: date, sqlite: bool) -> dict[int, int]:
    with db.engine().connect() as conn:
        cur = conn.connection.driver_connection.cursor()
        cur.execute(_driver_sql(sql, sqlite),
                    {"entry": entry, "start": start.isoformat(), "end": end.isoformat()})
        result = {int(t): int(n) for t, n in cur.fetchall()}
        cur.close()
        conn.rollback()
    return result


@contextlib.contextmanager
def _captured() -> Iterator[list[tuple[str, object]]]:
    """The SQL the service sends to count free units, seen on the engine."""
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if "count(" in statement and "booking_orders" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine(), "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(db.engine(), "before_cursor_execute", capture)


class _deadline:  # noqa: N801 - used as a context manager
    """After `seconds`, interrupt the running statement (SQLite) or cancel it (PostgreSQL)."""

    def __init__(self, seconds: float, sqlite: bool) -> None:
        self.seconds, self.sqlite = seconds, sqlite
        self.end = time.perf_counter() + seconds
        self.timer = threading.Timer(seconds, self._interrupt)

    def _interrupt(self) -> None:
        for conn in list(_connections):
            with contextlib.suppress(Exception):  # a connection that has just finished
                conn.interrupt() if self.sqlite else conn.cancel_safe()

    def __enter__(self):  # noqa: ANN204
        event.listen(db.engine(), "checkout", _track)
        event.listen(db.engine(), "checkin", _untrack)
        self.timer.start()
        return lambda: time.perf_counter() >= self.end

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        event.remove(db.engine(), "checkout", _track)
        event.remove(db.engine(), "checkin", _untrack)


_connections: set = set()


def _track(dbapi_conn, record, proxy) -> None:  # noqa: ANN001
    _connections.add(dbapi_conn)


def _untrack(dbapi_conn, record) -> None:  # noqa: ANN001
    _connections.discard(dbapi_conn)


def _plans(statement: tuple[str, object], entry: int, period: tuple[date, date],
           sqlite: bool) -> list[tuple[str, list[str]]]:
    start, end = period
    bare_params = {"entry": entry, "start": start.isoformat(), "end": end.isoformat()}
    queries = [("service query", *statement)] + [
        (name, _driver_sql(sql, sqlite), bare_params) for name, sql in BARE.items()]
    out = []
    with db.engine().connect() as conn:
        cur = conn.connection.driver_connection.cursor()
        for name, sql, params in queries:
            if sqlite:
                cur.execute("EXPLAIN QUERY PLAN " + sql, params)
                depth: dict[int, int] = {0: -1}
                lines = []
                for node, parent, _, detail in cur.fetchall():
                    depth[node] = depth.get(parent, -1) + 1
                    lines.append("  " * depth[node] + detail)
            else:
                cur.execute("EXPLAIN (COSTS OFF) " + sql, params)
                lines = [row[0] for row in cur.fetchall()]
            mark = r"(?:\?|%\(\w+\)s(?:::\w+)?)"
            shown = re.sub(rf"(?:{mark}, ){{3,}}{mark}", "... ids ...", " ".join(sql.split()))
            out.append((f"{name}:\n    {shown}", lines))
        cur.close()
        conn.rollback()
    return out


if __name__ == "__main__":
    sys.exit(main())
