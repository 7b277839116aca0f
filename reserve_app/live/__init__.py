"""Live push: each worker sends the live events it reads to the tabs connected to it.

- subscriptions: `subscribe(state, topic, actor)` from a page's on_load, `caller(state,
  batch)`, `Batch` (reads shared within one round);
- push: `prepare` (the round's read, in the committing thread) and `push` (to the tabs);
- dispatcher: each worker's loop that learns of new events (database, and Redis between
  workers) and calls `push`;
- adapter: the only module that touches Reflex internals.

The push calls use cases through the unit of work; it never handles a database session.
"""

from __future__ import annotations

from reserve_app.live.push import Prepared, already_sent, prepare, push
from reserve_app.live.subscriptions import (
    Batch,
    Subscription,
    _subscribers,
    caller,
    subscribe,
    subscriber_count,
)

__all__ = ["Batch", "Prepared", "Subscription", "_subscribers", "already_sent", "caller",
           "prepare", "push", "subscribe", "subscriber_count"]
