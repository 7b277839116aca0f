"""Live events: written with the change, read by each worker's dispatcher.

A service calls `record(session, topic, kind, ref_id)` before committing; the row commits
or rolls back with the change. After a commit that wrote live events, the listeners
registered here are called (from the committing thread) so a dispatcher wakes up at once
instead of waiting for its next poll. Nothing here knows about Reflex.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, event, func
from sqlmodel import Session, col, select

from reserve_app.models import LiveEvent
from reserve_app.models.base import utcnow

STAFF_ORDERS = "staff:orders"
KEEP = timedelta(hours=1)

# Called after a commit that wrote live events, with those events (ids included).
_listeners: list[Callable[[list[LiveView]], None]] = []
_lock = threading.Lock()


def customer_topic(customer_id: int) -> str:
    return f"customer:{customer_id}"


@dataclass(frozen=True)
class LiveView:
    id: int
    topic: str
    kind: str
    ref_id: int


def record(session: Session, *, topic: str, kind: str, ref_id: int = 0) -> None:
    session.add(LiveEvent(topic=topic, kind=kind, ref_id=ref_id))
    session.info["live_written"] = True


def latest_id(session: Session) -> int:
    return session.exec(select(func.max(LiveEvent.id))).one() or 0


def events_after(session: Session, *, after: int, limit: int = 500) -> list[LiveView]:
    rows = session.exec(select(LiveEvent).where(col(LiveEvent.id) > after)
                        .order_by(col(LiveEvent.id)).limit(limit)).all()
    return [LiveView(r.id or 0, r.topic, r.kind, r.ref_id) for r in rows]


def prune(session: Session) -> None:
    """Events are only needed until every worker has read them; keep an hour."""
    session.execute(delete(LiveEvent).where(col(LiveEvent.at) < utcnow() - KEEP))
    session.flush()


def add_listener(callback: Callable[[list[LiveView]], None]) -> None:
    with _lock:
        _listeners.append(callback)


def remove_listener(callback: Callable[[list[LiveView]], None]) -> None:
    with _lock:
        if callback in _listeners:
            _listeners.remove(callback)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    """Note the live events this flush wrote (with their ids) for the listeners."""
    if session.info.get("live_written"):
        found = session.info.setdefault("live_views", [])
        found += [LiveView(e.id or 0, e.topic, e.kind, e.ref_id)
                  for e in session.new if isinstance(e, LiveEvent)]


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    views = session.info.pop("live_views", [])
    if session.info.pop("live_written", False):
        with _lock:
            callbacks = list(_listeners)
        for callback in callbacks:
            callback(views)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("live_written", None)
    session.info.pop("live_views", None)
