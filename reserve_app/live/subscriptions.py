"""Which tab listens to which topic, and the reads shared within one round of pushes.

A page's on_load calls `await subscribe(state, topic, actor)`; the topic is chosen on the
server from the caller (staff -> "staff:orders", a customer -> "customer:<id>"). A tab's
events reach the worker holding its websocket, so each worker knows exactly its own tabs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from reserve_app.services.accounts import auth
from reserve_app.state import kit


@dataclass(frozen=True)
class Subscription:
    sid: str        # the tab's session cookie when it subscribed (checked on every push)
    actor: Any      # who it was then (only to prefetch; the check above decides who gets data)
    lang: str       # how it shows things (a changed language is put right per tab)
    tz: str


# topic -> {(client token, state class): subscription}
_subscribers: dict[str, dict[tuple[str, type[rx.State]], Subscription]] = {}


async def subscribe(state: rx.State, topic: str, actor: Any) -> None:
    """Send this tab's `type(state)` the events of `topic` (from a page's on_load)."""
    token = state.router.session.client_token
    if not token:
        return
    key = (token, type(state))
    for subs in _subscribers.values():   # one topic per tab and state (e.g. after re-login)
        subs.pop(key, None)
    _subscribers.setdefault(topic, {})[key] = Subscription(
        kit.session_token(state) or "", actor, await kit.language_of(state),
        kit.viewer_timezone(state))


def subscriber_count(topic: str) -> int:
    return len(_subscribers.get(topic, ()))


def _drop(key: tuple[str, type[rx.State]]) -> None:
    for subs in _subscribers.values():
        subs.pop(key, None)


class Batch:
    """Shared reads for one round of pushes: the first caller loads, the others await it."""

    def __init__(self) -> None:
        self._found: dict[object, asyncio.Future[Any]] = {}

    def peek(self, key: object) -> Any:
        """A value already there (primed or loaded), else None; never loads."""
        future = self._found.get(key)
        return future.result() if future is not None and future.done() \
            and not future.exception() else None

    def prime(self, key: object, value: Any) -> None:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_result(value)
        self._found[key] = future

    async def once(self, key: object, loader: Callable[[], Awaitable[Any]]) -> Any:
        if key not in self._found:
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._found[key] = future
            try:
                future.set_result(await loader())
            except BaseException as exc:
                future.set_exception(exc)
        return await asyncio.shield(self._found[key])


async def caller(state: rx.State, batch: Batch | None = None) -> Any:
    """Who the tab belongs to: during a push, this round's checked answer for its cookie
    (one query for all tabs); otherwise resolved from the cookie now."""
    if batch is None:
        return await kit.current_actor(state)
    sid = kit.session_token(state)
    return await batch.once(("actor", sid), lambda: kit.read(auth.resolve_actor, token=sid))
