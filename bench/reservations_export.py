"""Export benchmark: the staff CSV of 10,000 reservations, streamed in batches, beside a naive
export that loads every row first.

Fills two promotions with three variants and 10,000 reservations (one INSERT statement per
5,000 rows, in one transaction) for customers with Arabic, Hebrew, Polish and Russian names
and one whose name is a spreadsheet formula. Then writes the CSV to a temporary file twice:
with services.vouchers.export_csv (keyset batches of EXPORT_BATCH rows, each batch in its own
read session, lines pulled one at a time) and naively (one query, every row in a list, then
the same lines). Each export runs --repeat times untraced (median time) and once under
tracemalloc for the peak of Python memory. Prints rows, seconds, peak MiB, reads of the
reservations table and file size, and checks that each file parses back with csv to the same
rows and codes.

    .venv/bin/python bench/reservations_export.py                # fresh SQLite file
    TEST_DATABASE_URL=postgresql://... .venv/bin/python bench/reservations_export.py --postgres
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import _setup
from sqlalchemy import event, insert
from sqlmodel import col, select

from reserve_app.domain import vouchers as rules
from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.vouchers import ReservationFilter
from reserve_app.i18n import translate
from reserve_app.models import Promotion, PromotionVariant, Reservation, User
from reserve_app.services import uow, vouchers
from reserve_app.services.accounts import auth
from reserve_app.services.platform import db

CUSTOMERS = [
    ("سارة العلي", "sara@bench.example"),
    ("יעל כהן", "yael@bench.example"),
    ("Łukasz Żółćkiewicz", "lukasz@bench.example"),
    ("Анна Смирнова", "anna@bench.example"),
    ('=HYPERLINK("http://evil.example","Click me")', "eve@bench.example"),
    ('Dana "DJ" O\'Brien, Jr.', "dana@bench.example"),
]
START = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
MIB = 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=vouchers.EXPORT_BATCH,
                        help="rows per read of the streamed export")
    parser.add_argument("--repeat", type=int, default=3,
                        help="untraced runs of each export; the median time is shown")
    _setup.add_arguments(parser)
    args = parser.parse_args()

    with _setup.database(args) as url, tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        codes = _fill(args.rows)
        fill_s = time.perf_counter() - began

        def streamed() -> Iterator[str]:
            return vouchers.export_csv(ReservationFilter(), None, "en", args.batch)

        results = {}
        for name, lines in (("streamed (services.vouchers.export_csv)", streamed),
                            ("naive (load all rows, then write)", _naive)):
            path = os.path.join(folder, f"{len(results)}.csv")
            runs = [_timed(lines, path) for _ in range(max(1, args.repeat))]
            seconds, reads = statistics.median(r[0] for r in runs), runs[0][1]
            peak = _peak(lines, path)
            results[name] = (seconds, peak, reads, os.path.getsize(path), _check(path, codes))
        same = _read(os.path.join(folder, "0.csv")) == _read(os.path.join(folder, "1.csv"))

    print(f"reservations_export on {_setup.backend(url)}: {len(codes):,} reservations "
          f"(filled in {fill_s:.1f} s), batch {args.batch}")
    for name, (seconds, peak, reads, size, check) in results.items():
        print(f"  {name:<42} {seconds:6.2f} s   peak {peak / MIB:6.2f} MiB   "
              f"{reads:3d} reads   {size / MIB:5.2f} MiB file   {check}")
    streamed_peak = results["streamed (services.vouchers.export_csv)"][1]
    naive_peak = results["naive (load all rows, then write)"][1]
    print(f"  peak memory naive / streamed: {naive_peak / max(streamed_peak, 1):.1f}x; "
          f"the two files are {'identical' if same else 'DIFFERENT'}")
    ok = same and all(r[4] == "parses back: ok" for r in results.values())
    return 0 if ok else 1


def _fill(n: int) -> list[str]:
    """Promotions and variants through the admin services, customers and reservations in bulk.
    Returns the voucher codes in id order."""
    [admin] = _setup.add_users(["Bench Admin"], Role.ADMIN)
    [staff] = _setup.add_users(["Bench Staff"], Role.STAFF)
    customers = _customers()
    with uow.write_session() as session:
        summer = vouchers.save_promotion(session, actor=admin, promotion_id=0,
                                         title="Summer stay",
                                         required_action="Show your ID at check-in")
    with uow.write_session() as session:
        spa = vouchers.save_promotion(session, actor=admin, promotion_id=0, title="Spa day")
    plan = []
    for promotion, name, price in ((summer, "Weekend", "200.00"), (summer, "Full week", "500.00"),
                                   (spa, "Day pass", "80.00")):
        with uow.write_session() as session:
            plan.append((promotion, vouchers.save_variant(
                session, actor=admin, promotion_id=promotion, variant_id=0, name=name,
                price=price, tax_rate="10"), Decimal(price)))
    seen: set[str] = set()
    values = []
    for i in range(n):
        promotion, variant, price = plan[i % len(plan)]
        done = promotion == summer and i % 4 == 0
        code = rules.new_code()
        while code in seen:
            code = rules.new_code()
        seen.add(code)
        tax = (price / 10).quantize(Decimal("0.01"))
        values.append({
            "code": code, "customer_id": customers[i % len(customers)].user_id,
            "promotion_id": promotion, "variant_id": variant,
            "status": "cancelled" if not done and i % 7 == 0 else "active",
            "subtotal": price, "tax": tax, "total": price + tax, "currency": "EUR", "notes": "",
            "action_done_at": START + timedelta(days=1, seconds=i) if done else None,
            "action_done_by": staff.user_id if done else None,
            "created_at": START + timedelta(seconds=i)})
    with uow.write_session() as session:
        conn = session.connection()
        for start in range(0, n, 5000):
            conn.execute(insert(Reservation.__table__), values[start:start + 5000])
        session.commit()
    with uow.read_session() as session:
        return list(session.exec(select(Reservation.code).order_by(col(Reservation.id))).all())


def _customers() -> list[Actor]:
    password_hash = auth.hash_password("bench password 1")
    with uow.write_session() as session:
        users = [User(name=name, email=email, password_hash=password_hash,
                      role=Role.CUSTOMER.value, language="en") for name, email in CUSTOMERS]
        session.add_all(users)
        session.commit()
        return [Actor(u.id or 0, Role.CUSTOMER, u.name, u.email, u.language) for u in users]


def _naive() -> Iterator[str]:
    """The same file the simple way: one query, every row held in a list, then written."""
    query = (select(Reservation.id, Reservation.code, User.name, User.email, Promotion.title,
                    PromotionVariant.name, Reservation.status, Reservation.action_done_at,
                    Reservation.created_at)
             .join(User, col(User.id) == Reservation.customer_id)
             .join(Promotion, col(Promotion.id) == Reservation.promotion_id)
             .join(PromotionVariant, col(PromotionVariant.id) == Reservation.variant_id)
             .order_by(col(Reservation.id)))
    with uow.read_session() as session:
        found = session.exec(query).all()
    cells = [[code, name, email, promotion, variant,
              translate("en", f"voucher.status.{status}"),
              done.isoformat(timespec="seconds") if done else "",
              created.isoformat(timespec="seconds")]
             for _id, code, name, email, promotion, variant, status, done, created in found]
    header = [translate("en", key) for key in vouchers.EXPORT_HEADER_KEYS]
    return iter(list(rules.csv_lines(header, cells)))


def _write(lines: Iterable[str], path: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        for line in lines:
            out.write(line)


def _timed(lines: Callable[[], Iterator[str]], path: str) -> tuple[float, int]:
    """Seconds to write the file (untraced), and how many reads of the reservations table."""
    with _reads() as reads:
        t0 = time.perf_counter()
        _write(lines(), path)
        seconds = time.perf_counter() - t0
    return seconds, len(reads)


def _peak(lines: Callable[[], Iterator[str]], path: str) -> int:
    """The peak of Python memory (bytes, above what was held before) while writing the file."""
    db.engine()  # the engine and its pool exist already, as in the running app
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        _write(lines(), path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base


@contextlib.contextmanager
def _reads() -> Iterator[list[str]]:
    seen: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        text = statement.lstrip().upper()
        if text.startswith("SELECT") and "RESERVATIONS" in text:
            seen.append(statement)

    event.listen(db.engine(), "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(db.engine(), "before_cursor_execute", capture)


def _read(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _check(path: str, codes: list[str]) -> str:
    with open(path, "rb") as f:
        if f.read(3) != b"\xef\xbb\xbf":
            return "NO BYTE ORDER MARK"
    parsed = _read(path)
    if len(parsed) != len(codes) + 1:
        return f"ROWS {len(parsed) - 1:,} != {len(codes):,}"
    if [r[0] for r in parsed[1:]] != codes:
        return "CODES DIFFER"
    formula = [r[1] for r in parsed[1:] if r[1].lstrip("'").startswith("=")]
    if not formula or not all(name.startswith("'=") for name in formula):
        return "FORMULA NOT NEUTRALISED"
    return "parses back: ok"


if __name__ == "__main__":
    raise SystemExit(main())
