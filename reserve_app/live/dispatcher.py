"""Each worker's dispatcher loop: learns of new live events and hands them to `live.push`.

After a commit that wrote live events, this process is handed them at once, with the round's
read already done by the committing thread (`live.prepare`); with Redis (several workers) it
also announces the events on a channel, so the other workers push them at once without
reading them back. A poll every second catches anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from reserve_app.live.push import prepare, push
from reserve_app.services import uow
from reserve_app.services.platform import live
from reserve_app.state import kit

log = logging.getLogger("reserve_app.live")
CHANNEL = "reserve_app:live"
POLL_SECONDS = 1.0
PRUNE_SECONDS = 600.0
OVERLAP = 200   # ids re-read behind the newest seen (see _unseen)


async def run_dispatcher() -> None:
    """Lifespan task of every worker."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    # views: events known here but not pushed yet (committed here or announced by another
    # worker); mine: those committed here, to announce to the other workers.
    local: dict[str, Any] = {"mine": [], "views": [], "prepared": None}

    def committed_here(views: list[live.LiveView]) -> None:   # from the committing thread
        try:
            prepared = prepare(views)
        except Exception:  # noqa: BLE001 - the dispatcher reads for itself then
            log.exception("live: reading ahead after a commit failed")
            prepared = None

        def mark() -> None:
            local["mine"] += views
            local["views"] += views
            if prepared is not None and (local["prepared"] is None
                                         or prepared.after > local["prepared"].after):
                local["prepared"] = prepared
            wake.set()
        loop.call_soon_threadsafe(mark)

    live.add_listener(committed_here)
    redis = _redis()
    def announced(views: list[live.LiveView]) -> None:   # another worker's commit
        local["views"] += views
        wake.set()

    listener = asyncio.create_task(_listen(redis, announced)) if redis is not None else None
    last = await kit.read(live.latest_id)
    seen: OrderedDict[int, None] = OrderedDict()
    pruned = read_at = time.monotonic()
    try:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), POLL_SECONDS)
            wake.clear()
            mine, local["mine"] = local["mine"], []
            if mine and redis is not None:
                with contextlib.suppress(Exception):
                    await redis.publish(CHANNEL, _encode(mine))
            try:
                views, local["views"] = local["views"], []
                prepared, local["prepared"] = local["prepared"], None
                known = [v for v in views if v.id not in seen]
                if views and not known and time.monotonic() - read_at < POLL_SECONDS:
                    continue   # only this worker's own announcement came back
                events = _next_in_line(known, last)
                from_db = events is None   # not all known here (a gap, a poll): read them
                if from_db:
                    read_at = time.monotonic()
                    events, prepared = await _unseen(last, seen), None
                while events:
                    last = max(last, events[-1].id)
                    seen.update((e.id, None) for e in events)
                    while len(seen) > 5000:
                        seen.popitem(last=False)
                    await push(events, prepared)
                    if not from_db:   # anything newer wakes this loop again
                        break
                    events, prepared = await _unseen(last, seen), None
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
    events = await kit.read(live.events_after, after=max(0, last - OVERLAP))
    return [e for e in events if e.id not in seen]


def _next_in_line(views: list[live.LiveView], last: int) -> list[live.LiveView] | None:
    """The events committed in this process, if they are exactly the next ones after `last`
    (then the database need not be asked); else None."""
    ordered = sorted(views, key=lambda v: v.id)
    if not ordered or [v.id for v in ordered] != list(range(last + 1, last + 1 + len(ordered))):
        return None
    return ordered


def _prune() -> None:
    uow.run_write(live.prune)


def _redis() -> Any:
    from reflex.utils.prerequisites import get_redis

    try:
        return get_redis()
    except Exception:  # noqa: BLE001
        return None


def _encode(views: list[live.LiveView]) -> str:
    return json.dumps([[v.id, v.topic, v.kind, v.ref_id] for v in views])


def _decode(data: object) -> list[live.LiveView]:
    """Events announced by another worker; anything malformed is ignored (the dispatcher
    then reads the database, as after any gap)."""
    try:
        if not isinstance(data, str | bytes | bytearray):
            return []
        rows = json.loads(data)
        return [live.LiveView(i, t, k, r) for i, t, k, r in rows
                if isinstance(i, int) and isinstance(t, str) and isinstance(k, str)
                and isinstance(r, int)]
    except (TypeError, ValueError):
        return []


async def _listen(redis: Any, announced: Callable[[list[live.LiveView]], None]) -> None:
    """Other workers' commits: a message on the channel names their events, so this worker
    pushes them without reading them back (`_next_in_line`)."""
    while True:
        try:
            pubsub = redis.pubsub()
            await pubsub.subscribe(CHANNEL)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    announced(_decode(message.get("data")))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - reconnect after a Redis hiccup
            log.warning("live: redis subscription lost, retrying")
            announced([])
            await asyncio.sleep(1)
