"""The staff's CSV export of reservations, streamed in keyset batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlmodel import Session, col

from reserve_app.domain import vouchers as rules
from reserve_app.domain.accounts import Actor, require_staff
from reserve_app.domain.vouchers import ReservationFilter
from reserve_app.models import Reservation
from reserve_app.services import uow
from reserve_app.services.vouchers.reservations import rows_query

EXPORT_BATCH = 500
EXPORT_HEADER_KEYS = ("voucher.csv.code", "voucher.csv.customer", "voucher.csv.email",
                      "voucher.csv.promotion", "voucher.csv.variant", "voucher.csv.status",
                      "voucher.csv.action_done_at", "voucher.csv.created_at")


def check_export(session: Session, *, actor: Actor | None) -> None:
    """Before the stream starts: only staff export."""
    require_staff(actor)


def export_caller(session: Session, *, actor: Actor | None) -> Actor:
    """The staff caller who may export (`check_export`), else DomainError."""
    check_export(session, actor=actor)
    assert actor is not None
    return actor


def export_rows(f: ReservationFilter, ids: list[int] | None = None,
                batch: int = EXPORT_BATCH) -> Iterator[Sequence[Any]]:
    """Every matching reservation (only `ids` if given), oldest first, read `batch` rows at a
    time by id (keyset), each batch in its own short read: the export never holds more than
    one batch, however many rows match. Each row: id, code, customer, email, promotion,
    variant, status, action done at, created at."""
    last = 0
    while True:
        with uow.read_session() as session:
            rows = session.execute(rows_query(f, ids).where(col(Reservation.id) > last)
                                   .order_by(col(Reservation.id)).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def export_csv(f: ReservationFilter, ids: list[int] | None, lang: str,
               batch: int = EXPORT_BATCH) -> Iterator[str]:
    """The CSV file, line by line: one row per reservation (voucher code, customer, email,
    promotion, variant, status, action done at, created at), UTF-8 with BOM, formula-safe."""
    from reserve_app.i18n import translate

    header = [translate(lang, key) for key in EXPORT_HEADER_KEYS]

    def cells() -> Iterator[list[object]]:
        for _id, code, name, email, promotion, variant, status, done_at, created in \
                export_rows(f, ids, batch):
            yield [code, name, email, promotion, variant,
                   translate(lang, f"voucher.status.{status}"),
                   done_at.isoformat(timespec="seconds") if done_at else "",
                   created.isoformat(timespec="seconds")]

    return rules.csv_lines(header, cells())
