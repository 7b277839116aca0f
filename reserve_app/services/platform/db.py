"""Engine and transactions.

SQLite runs in WAL mode with a busy timeout; `uow.write_session()` opens its transaction with
`BEGIN IMMEDIATE`, so a check-then-insert use case holds the write lock from its first read.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlmodel import Session, SQLModel

from reserve_app.domain.errors import NotFound
from reserve_app.domain.ids import record_id
from reserve_app.settings import get_settings

Row = TypeVar("Row", bound=SQLModel)

_IMMEDIATE = "reserve_app_immediate"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_engines: dict[str, Engine] = {}


def engine() -> Engine:
    url = get_settings().database_url
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose() -> None:
    """Close every pooled connection (tests switch databases)."""
    for eng in _engines.values():
        eng.dispose()
    _engines.clear()


def writing(eng: Engine) -> Engine:
    """`eng` with every transaction taking the write lock at once on SQLite (BEGIN
    IMMEDIATE), so a read never has to be upgraded to a write (SQLite refuses that with
    "database is locked", without waiting, when another connection wrote meanwhile)."""
    return eng.execution_options(**{_IMMEDIATE: True}) if eng.dialect.name == "sqlite" else eng


def serialize_on(session: Session, key: str) -> None:
    """Serialize concurrent use cases that check-then-write on `key`, until commit.

    SQLite: `uow.write_session()` already holds the database write lock from BEGIN IMMEDIATE.
    PostgreSQL: a transaction-scoped advisory lock on the key's hash.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))").bindparams(key=key))


def locked(session: Session, model: type[Row], raw_id: object, key: str) -> Row:
    """The `model` row with the id `raw_id` (NotFound for anything that is not one), read
    again under the lock `<key>:<id>`: concurrent use cases on the same row go in turn and
    each sees what the one before it committed."""
    row = session.get(model, record_id(raw_id))
    if row is None:
        raise NotFound()
    serialize_on(session, f"{key}:{record_id(raw_id)}")
    session.refresh(row)
    return row
