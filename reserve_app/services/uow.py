"""The unit of work: the one place that opens a session and ends its transaction.

A use case is a function `fn(session, **kwargs)` that reads and writes through the session
and never commits: the unit of work around it commits when it returns and rolls back when it
raises (a DomainError included), so everything a use case wrote lands together or not at all.

- `reading()` / `writing()`: context managers for a read or a write transaction. A write
  takes SQLite's write lock at once (BEGIN IMMEDIATE, see `db.writing`); on PostgreSQL the
  use cases lock what they check (`db.serialize_on`, row locks). A read never commits:
  closing it rolls back.
- `run_read(fn, **kw)` / `run_write(fn, **kw)`: one use case in one transaction (sync, call
  them from a worker thread).
- `run_as_caller(fn, token=..., **kw)`: the same, with the caller (`Actor`) resolved from the
  session cookie's token inside that very transaction and passed as `actor=`.
- After-commit hooks: `on_commit(session, callback)` runs `callback()` once the transaction
  has committed (never after a rollback). Live events keep waking their listeners through
  SQLAlchemy's `after_commit` session event (services/live.py), which fires on our commit.
- After-rollback hooks: `on_rollback(session, callback)` undoes what a use case did outside
  the database (a file it wrote) when its transaction does not commit: the use case raised,
  a flush failed, or the commit itself failed. Dropped once the transaction commits.
- `checkpoint(session)`: the documented exception, a commit in the middle of a use case whose
  first part must stay even if the rest fails (a failed login attempt is counted, then the
  login is refused). Flows that call an outside service (Stripe, SMTP) between two writes
  are not checkpoints: they run two units of work from a function outside any transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlmodel import Session

from reserve_app.services.platform import db

T = TypeVar("T")
_HOOKS = "reserve_app_after_commit"
_UNDO = "reserve_app_after_rollback"
log = logging.getLogger(__name__)


@contextmanager
def reading() -> Iterator[Session]:
    """A read transaction (plain BEGIN); nothing it did is committed (closing the session
    rolls back without expiring the rows it returns)."""
    with Session(db.engine(), expire_on_commit=False) as session:
        yield session


@contextmanager
def writing() -> Iterator[Session]:
    """A write transaction: BEGIN IMMEDIATE on SQLite, committed at a clean exit, rolled
    back on any exception; then the after-commit hooks run."""
    with Session(db.writing(db.engine()), expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            _roll_back(session)
            raise
        _commit(session)


def _commit(session: Session) -> None:
    transaction = session.get_transaction()
    if transaction is not None and not transaction.is_active:
        # A flush failed and the caller caught the error: that transaction is over and
        # nothing of it can be committed (SQLAlchemy refuses); end it without the hooks.
        _roll_back(session)
        return
    try:
        session.commit()
    except BaseException:
        _roll_back(session)
        raise
    session.info.pop(_UNDO, None)
    hooks = session.info.pop(_HOOKS, [])
    for hook in hooks:
        hook()


def _roll_back(session: Session) -> None:
    """End the transaction without committing: the after-commit hooks are dropped, the
    after-rollback hooks run (newest first; one that fails is logged, so the error that
    caused the rollback is the one raised)."""
    session.info.pop(_HOOKS, None)
    undo = session.info.pop(_UNDO, [])
    session.rollback()
    for hook in reversed(undo):
        try:
            hook()
        except Exception:
            log.exception("after-rollback hook failed")


def checkpoint(session: Session) -> None:
    """Commit what the use case wrote so far and go on in a new transaction (same lock
    mode). Only where the first part must survive a failure of the rest; say why there."""
    _commit(session)


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback()` after this unit of work commits (dropped if it rolls back)."""
    session.info.setdefault(_HOOKS, []).append(callback)


def on_rollback(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback()` if this unit of work ends without committing (dropped once it
    commits, also at a checkpoint)."""
    session.info.setdefault(_UNDO, []).append(callback)


# The names the tests and scripts use: `with uow.write_session() as session: ...`.
read_session = reading
write_session = writing


def run_read(fn: Callable[..., T], /, **kwargs: Any) -> T:
    with reading() as session:
        return fn(session, **kwargs)


def run_write(fn: Callable[..., T], /, **kwargs: Any) -> T:
    with writing() as session:
        return fn(session, **kwargs)
