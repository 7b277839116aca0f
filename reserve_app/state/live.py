"""Live push: each worker sends the live events it reads to the tabs connected to it.

- A page's on_load calls `subscribe(state, topic)`; the topic is chosen on the server from
  the caller (staff → "staff:orders", a customer → "customer:<id>"). A tab's events reach
  the worker holding its websocket, so each worker knows exactly its own tabs.
- Services write `LiveEvent` rows with the change. After such a commit this process wakes
  its dispatcher at once; with Redis (several workers) it also publishes a wake-up on a
  channel so the other workers read at once. A poll every second catches anything else.
- The dispatcher reads the new events once, then for each subscribed tab calls the state's
  `_live(events, batch)` inside `app.modify_state`; `batch.once(key, loader)` lets 50 panels
  share one database read.
- A tab that reconnects sends hydrate-and-load again, so its on_load reloads the list and
  subscribes anew: nothing is missed. Tabs no longer connected here are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import reflex as rx

from reserve_app.services import db, live

from . import base

log = logging.getLogger("reserve_app.live")
CHANNEL = "reserve_app:live"
POLL_SECONDS = 1.0
PRUNE_SECONDS = 600.0

# topic -> {(client token, state class)}
_subscribers: dict[str, set[tuple[str, type[rx.State]]]] = {}


def subscribe(state: rx.State, topic: str) -> None:
    """Send this tab's `type(state)` the events of `topic` (from a page's on_load)."""
    token = state.router.session.client_token
    if not token:
        return
    key = (token, type(state))
    for subs in _subscribers.values():   # one topic per tab and state (e.g. after re-login)
        subs.discard(key)
    _subscribers.setdefault(topic, set()).add(key)


def subscriber_count(topic: str) -> int:
    return len(_subscribers.get(topic, ()))


class Batch:
    """Shared reads for one round of pushes: the first caller loads, the others await it."""

    def __init__(self) -> None:
        self._found: dict[object, asyncio.Future[Any]] = {}

    async def once(self, key: object, loader: Callable[[], Awaitable[Any]]) -> Any:
        if key not in self._found:
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._found[key] = future
            try:
                future.set_result(await loader())
            except BaseException as exc:
                future.set_exception(exc)
        return await asyncio.shield(self._found[key])


def _app() -> Any:
    from reflex.utils.prerequisites import get_and_validate_app

    return get_and_validate_app().app


def _connected_here(app: Any, token: str) -> bool:
    manager = getattr(app.event_namespace, "_token_manager", None)
    record = manager.token_to_socket.get(token) if manager is not None else None
    return record is not None and record.instance_id == manager.instance_id


async def push(events: list[live.LiveView]) -> int:
    """Apply events to every subscribed tab of this worker; returns how many tabs changed."""
    app = _app()
    targets: dict[tuple[str, type[rx.State]], list[live.LiveView]] = {}
    for event in events:
        for key in list(_subscribers.get(event.topic, ())):
            targets.setdefault(key, []).append(event)
    batch = Batch()
    results = await asyncio.gather(*(_apply(app, token, cls, evs, batch)
                                     for (token, cls), evs in targets.items()))
    return sum(results)


async def _apply(app: Any, token: str, cls: type[rx.State], events: list[live.LiveView],
                 batch: Batch) -> int:
    if not _connected_here(app, token):
        for subs in _subscribers.values():
            subs.discard((token, cls))
        return 0
    try:
        async with app.modify_state(rx.BaseStateToken(ident=token, cls=cls)) as root:
            state = await root.get_state(cls)
            await state._live(events, batch)
    except Exception:  # noqa: BLE001 - one tab's failure must not stop the others
        log.exception("live push to a tab failed")
        return 0
    return 1


def _topics(events: Iterable[live.LiveView]) -> set[str]:
    return {e.topic for e in events}


async def run_dispatcher() -> None:
    """Lifespan task of every worker."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    local = {"committed": False}

    def committed_here() -> None:   # called from the committing (worker) thread
        def mark() -> None:
            local["committed"] = True
            wake.set()
        loop.call_soon_threadsafe(mark)

    live.add_listener(committed_here)
    redis = _redis()
    listener = asyncio.create_task(_listen(redis, wake)) if redis is not None else None
    last = await base.read(live.latest_id)
    pruned = time.monotonic()
    try:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), POLL_SECONDS)
            wake.clear()
            if local["committed"] and redis is not None:
                local["committed"] = False
                with contextlib.suppress(Exception):
                    await redis.publish(CHANNEL, "1")
            try:
                events = await base.read(live.events_after, after=last)
                while events:
                    last = events[-1].id
                    await push(events)
                    events = await base.read(live.events_after, after=last)
                if time.monotonic() - pruned > PRUNE_SECONDS:
                    pruned = time.monotonic()
                    await asyncio.to_thread(_prune)
            except Exception:  # noqa: BLE001 - keep dispatching after a bad round
                log.exception("live dispatch round failed")
    finally:
        live.remove_listener(committed_here)
        if listener is not None:
            listener.cancel()


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
