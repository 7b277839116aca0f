"""Who is calling and how a handler reaches the use cases.

The caller is always resolved from the HttpOnly `sid` cookie of the websocket's own HTTP
upgrade request (`router.headers.cookie`), checked against the sessions table on every event.
Nothing the browser sends in an event payload, and no state var, identifies the user.
Use cases run in a worker thread inside one unit of work (`services/uow.py`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any, TypeVar
from urllib.parse import quote, unquote

import anyio
import reflex as rx

from reserve_app.domain import accounts
from reserve_app.domain.accounts import Actor
from reserve_app.i18n import translate, zone
from reserve_app.services import uow
from reserve_app.services.accounts import auth
from reserve_app.settings import get_settings
from reserve_app.state.kit.forms import remount_forms
from reserve_app.state.kit.i18n import language_of

SESSION_COOKIE = "sid"
T = TypeVar("T")


def cookies_of(state: rx.State) -> dict[str, str]:
    return dict(_parse_cookies(state.router.headers.cookie or ""))


@functools.lru_cache(maxsize=4096)
def _parse_cookies(raw: str) -> tuple[tuple[str, str], ...]:
    """A Cookie header's values; cached, since a tab sends the same header on every event
    (and the live dispatcher reads it for every pushed tab)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return ()
    return tuple((k, v.value) for k, v in jar.items())


def session_token(state: rx.State) -> str | None:
    return cookies_of(state).get(SESSION_COOKIE)


def viewer_timezone(state: rx.State) -> str:
    """The browser's IANA time zone (cookie set by the page), else the business's."""
    name = unquote(cookies_of(state).get("tz", ""))[:64]
    fallback = get_settings().default_timezone
    return name if name and zone(name, fallback).key == name else fallback


async def read(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a use case in a read unit of work, in a worker thread."""
    return await anyio.to_thread.run_sync(lambda: uow.run_read(fn, **kwargs))


async def write(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a use case in a write unit of work (BEGIN IMMEDIATE on SQLite; committed when
    it returns, rolled back when it raises), in a worker thread."""
    return await anyio.to_thread.run_sync(lambda: uow.run_write(fn, **kwargs))


async def write_as_caller(state: rx.State, fn: Callable[..., T], /, **kwargs: Any) -> T:
    """`write` with the caller resolved from the cookie inside the same transaction (one
    trip to the database instead of two)."""
    token = session_token(state)
    return await anyio.to_thread.run_sync(
        lambda: auth.run_as_caller(fn, token=token, **kwargs))


async def read_as_caller(state: rx.State, fn: Callable[..., T], /, **kwargs: Any) -> T:
    """`read` with the caller resolved from the cookie inside the same transaction."""
    token = session_token(state)
    return await anyio.to_thread.run_sync(
        lambda: auth.run_as_caller(fn, token=token, write=False, **kwargs))


async def current_actor(state: rx.State) -> Actor | None:
    return await read(auth.resolve_actor, token=session_token(state))


async def page_access(state: rx.State, actor: Actor | None, need: str
                      ) -> list[rx.event.EventSpec] | None:
    """None if `actor` may open a page that needs `need` (login, staff, admin); else where to go.

    Visitors and customers go to the login page (and come back after it); staff on an
    admin page go to the staff home with a message.
    """
    if accounts.may_open(actor, accounts.Access(need)):
        return None
    if actor is not None and actor.is_staff:
        lang = await language_of(state)
        return [rx.redirect("/staff"), rx.toast.error(translate(lang, "error.forbidden"))]
    path = state.router.url.path or "/"
    return [rx.redirect(f"/login?next={quote(path, safe='/')}")]


async def open_page(state: rx.State, need: str) -> list[rx.event.EventSpec] | None:
    """on_load of a page with a `_reload()`: check access (see page_access), then load.

    A state whose forms show saved values sets `FORMS_SHOW_SAVED: ClassVar[bool] = True`:
    its forms re-mount with what was loaded (see forms.remount_forms).
    """
    actor = await current_actor(state)
    if (elsewhere := await page_access(state, actor, need)) is not None:
        return elsewhere
    await state._reload()  # type: ignore[attr-defined]
    if getattr(state, "FORMS_SHOW_SAVED", False):
        remount_forms(state)
    return None
