"""Each worker's dispatcher loop: learns of new live events and hands them to `live.push`.

After a commit that wrote live events, this process is handed them at once (no read); with
Redis (several workers) it also publishes a wake-up on a channel so the other workers read
at once. A poll every second catches anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from typing import Any

from reserve_app.services import db, live

from . import base
from .live import push

log = logging.getLogger("reserve_app.live")
CHANNEL = "reserve_app:live"
POLL_SECONDS = 1.0
PRUNE_SECONDS = 600.0
OVERLAP = 200   # ids re-read behind the newest seen (see _unseen)


async def run_dispatcher() -> None:
    """Lifespan task of every worker."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    local: dict[str, Any] = {"committed": False, "views": []}

    def committed_here(views: list[live.LiveView]) -> None:   # from the committing thread
        def mark() -> None:
            local["committed"] = True
            local["views"] += views
            wake.set()
        loop.call_soon_threadsafe(mark)

    live.add_listener(committed_here)
    redis = _redis()
    listener = asyncio.create_task(_listen(redis, wake)) if redis is not None else None
    last = await base.read(live.latest_id)
    seen: OrderedDict[int, None] = OrderedDict()
    pruned = time.monotonic()
    try:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), POLL_SECONDS)
            wake.clear()
            if local["committed"] and redis is not None:
                with contextlib.suppress(Exception):
                    await redis.publish(CHANNEL, "1")
            local["committed"] = False
            try:
                events = _next_in_line(local.pop("views"), last)
                local["views"] = []
                if events is None:   # not all known here (another worker, a gap): read them
                    events = await _unseen(last, seen)
                while events:
                    last = max(last, events[-1].id)
                    seen.update((e.id, None) for e in events)
                    while len(seen) > 5000:
                        seen.popitem(last=False)
                    await push(events)
                    events = await _unseen(last, seen)
                if time.monotonic() - pruned > PRUNE_SECONDS:
                    pruned = time.monotonic()
                    await asyncio.to_thread(_prune)
            except Exception:  # noqa: BLE001 - keep dispatching after a bad round
                log.exception("live dispatch round failed")
    finally:
        live.remove_listener(committed_here)
        if listener is not None:
            listener.cancel()


async def _unseen(last: int, seen: OrderedDict[int, None]) -> list[live.LiveView]:
    """Events not pushed yet. Ids are read from a little before the last one: on PostgreSQL
    a transaction that took its id earlier can commit after a later one."""
    events = await base.read(live.events_after, after=max(0, last - OVERLAP))
    return [e for e in events if e.id not in seen]


def _next_in_line(views: list[live.LiveView], last: int) -> list[live.LiveView] | None:
    """The events committed in this process, if they are exactly the next ones after `last`
    (then the database need not be asked); else None."""
    ordered = sorted(views, key=lambda v: v.id)
    if not ordered or [v.id for v in ordered] != list(range(last + 1, last + 1 + len(ordered))):
        return None
    return ordered


def _prune() -> None:
    with db.write_session() as session:
        live.prune(session)


def _redis() -> Any:
    from reflex.utils.prerequisites import get_redis

    try:
        return get_redis()
    except Exception:  # noqa: BLE001
        return None


async def _listen(redis: Any, wake: asyncio.Event) -> None:
    """Other workers' commits: a message on the channel wakes this worker's dispatcher."""
    while True:
        try:
            pubsub = redis.pubsub()
            await pubsub.subscribe(CHANNEL)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    wake.set()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - reconnect after a Redis hiccup
            log.warning("live: redis subscription lost, retrying")
            wake.set()
            await asyncio.sleep(1)
