"""Helpers every state uses (no state class here).

The caller is always resolved from the HttpOnly `sid` cookie of the websocket's own HTTP
upgrade request (`router.headers.cookie`), checked against the sessions table on every event.
Nothing the browser sends in an event payload, and no state var, identifies the user.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any, TypeVar
from urllib.parse import quote, unquote

import anyio
import reflex as rx

from reserve_app.domain.accounts import Actor
from reserve_app.domain.errors import DomainError, StaleForm, ValidationFailed
from reserve_app.i18n import translate, zone
from reserve_app.services import auth, uow
from reserve_app.settings import get_settings

from .i18n import language_of  # re-exported: states call base.language_of

SESSION_COOKIE = "sid"
T = TypeVar("T")
log = logging.getLogger("reserve_app")


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
    allowed = actor is not None and (
        need == "login" or (need == "staff" and actor.is_staff) or actor.is_admin)
    if allowed:
        return None
    if actor is not None and actor.is_staff:
        lang = await language_of(state)
        return [rx.redirect("/staff"), rx.toast.error(translate(lang, "error.forbidden"))]
    path = state.router.url.path or "/"
    return [rx.redirect(f"/login?next={quote(path, safe='/')}")]


async def error_toast(state: rx.State, err: DomainError) -> rx.event.EventSpec:
    lang = await language_of(state)
    key = "error.validation" if isinstance(err, ValidationFailed) else err.key
    return rx.toast.error(translate(lang, key, **err.params), duration=6000)


async def field_errors(state: rx.State, err: ValidationFailed) -> dict[str, str]:
    lang = await language_of(state)
    return {field: translate(lang, key) for field, key in err.fields.items()}


async def fail(state: rx.State, err: DomainError) -> rx.event.EventSpec:
    """Show a domain error: field messages on a form state (its `errors` var) and a toast."""
    if isinstance(err, ValidationFailed) and "errors" in state.base_vars:
        state.errors = await field_errors(state, err)  # type: ignore[attr-defined]
    return await error_toast(state, err)


def remount_forms(state: rx.State) -> None:
    """Re-mount the state's forms (their `key` includes `form_key`).

    Inputs with `default_value` / `default_checked` are uncontrolled: React applies the
    default only when the input mounts. A form that shows saved values (settings, an edit
    form) must therefore re-mount whenever those values were (re)loaded, or a new screen keeps
    the values the page was built with and a "Save" would put them back.
    """
    state.form_key += 1  # type: ignore[attr-defined]


async def open_page(state: rx.State, need: str) -> list[rx.event.EventSpec] | None:
    """on_load of a page with a `_reload()`: check access (see page_access), then load.

    A state whose forms show saved values sets `FORMS_SHOW_SAVED: ClassVar[bool] = True`:
    its forms re-mount with what was loaded (see remount_forms).
    """
    actor = await current_actor(state)
    if (elsewhere := await page_access(state, actor, need)) is not None:
        return elsewhere
    await state._reload()  # type: ignore[attr-defined]
    if getattr(state, "FORMS_SHOW_SAVED", False):
        remount_forms(state)
    return None


async def save_and_reload(state: rx.State, fn: Callable[..., object], /,
                          **kwargs: Any) -> rx.event.EventSpec:
    """An admin form action: call the service as the caller, reload the page's data, toast.

    The state has `errors` (field messages), `form_key` (re-mounts the forms, clearing them)
    and an async `_reload()`.
    """
    actor = await current_actor(state)
    try:
        await write(fn, actor=actor, **kwargs)
    except DomainError as err:
        await state._reload()  # type: ignore[attr-defined]
        if isinstance(err, StaleForm):  # show what is in force instead of the stale values
            state.errors = {}  # type: ignore[attr-defined]
            remount_forms(state)
        return await fail(state, err)
    state.errors = {}  # type: ignore[attr-defined]
    remount_forms(state)
    await state._reload()  # type: ignore[attr-defined]
    return rx.toast.success(translate(await language_of(state), "staff.saved"))


def checked_ids(form: object, prefix: str) -> list[int]:
    """Ids of the checked boxes named `<prefix><id>` in form data."""
    items = form.items() if isinstance(form, dict) else []
    return [int(k[len(prefix):]) for k, v in items
            if isinstance(k, str) and k.startswith(prefix) and k[len(prefix):].isdigit() and v]


def post_to(action: str, fields: dict[str, str]) -> rx.event.EventSpec:
    """Navigate by a real form POST (so the route can set or clear the HttpOnly cookie)."""
    inputs = "".join(
        "var i=document.createElement('input');i.type='hidden';"
        f"i.name={json.dumps(k)};i.value={json.dumps(v)};f.appendChild(i);"
        for k, v in fields.items()
    )
    return rx.call_script(
        "(function(){var f=document.createElement('form');f.method='POST';"
        f"f.action={json.dumps(action)};{inputs}document.body.appendChild(f);f.submit();}})()"
    )


async def pay_online(state: rx.State, order_kind: str, order_id: int
                     ) -> rx.event.EventSpec | None:
    """After a payment was started: with Stripe, off to its Checkout page (same tab); with
    the manual provider nothing (staff approve the payment)."""
    from reserve_app.services import payments

    actor = await current_actor(state)
    try:
        url = await anyio.to_thread.run_sync(lambda: payments.checkout_url(
            actor=actor, order_kind=order_kind, order_id=order_id))
    except DomainError as err:
        return await error_toast(state, err)
    return rx.call_script(f"window.location.assign({json.dumps(url)})") if url else None


def download_by_post(action: str, fields: dict[str, str]) -> rx.event.EventSpec:
    """Download what a POST route answers (e.g. a CSV) without leaving the page: the form
    is sent into a hidden frame, so the page keeps its websocket and its state."""
    inputs = "".join(
        "var i=document.createElement('input');i.type='hidden';"
        f"i.name={json.dumps(k)};i.value={json.dumps(v)};f.appendChild(i);"
        for k, v in fields.items()
    )
    return rx.call_script(
        "(function(){var n='download-frame',t=document.getElementsByName(n)[0];"
        "if(!t){t=document.createElement('iframe');t.name=n;t.hidden=true;"
        "t.title='download';document.body.appendChild(t);}"
        "var f=document.createElement('form');f.method='POST';f.target=n;"
        f"f.action={json.dumps(action)};{inputs}document.body.appendChild(f);f.submit();"
        "f.remove();})()"
    )


def text_field(form: object, name: str, limit: int = 2000) -> str:
    """A string field from form data; anything that is not a short string becomes ''."""
    if not isinstance(form, dict):
        return ""
    value = form.get(name, "")
    return value if isinstance(value, str) and len(value) <= limit else ""


def digits(value: object) -> int | None:
    """A record id sent as text (a select's or a data attribute's value), else None."""
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() \
        and len(value) < 12 else None


def int_param(state: rx.State, name: str) -> int | None:
    """A positive whole number from the page's query string, else None."""
    raw = state.router.url.query_parameters.get(name, "")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 12 and int(raw) > 0 else None


def query_param(state: rx.State, name: str, limit: int = 64) -> str:
    raw = state.router.url.query_parameters.get(name, "")
    return raw if len(raw) <= limit else ""
