"""What a handler answers: the one runner for actions (and its twin for the card-and-database
flows), and domain errors as toasts and field messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import reflex as rx

from reserve_app.domain.errors import DomainError, StaleForm, ValidationFailed
from reserve_app.i18n import translate
from reserve_app.services.billing.settle import Settled
from reserve_app.state.kit.forms import remount_forms
from reserve_app.state.kit.i18n import language_of
from reserve_app.state.kit.runtime import session_token, write_as_caller


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


async def run(state: rx.State, fn: Callable[..., object], /, *, success: str = "",
              **kwargs: Any) -> rx.event.EventSpec | None:
    """The one runner for an action: one write transaction with the caller resolved inside
    it (`fn(session, actor=..., **kwargs)`), then one read for the refresh (`_reload()`).

    - refused (`DomainError`): nothing was changed; the page reloads (the record may have
      moved meanwhile) and shows the error (field messages on a form state, and a toast);
      a stale form re-mounts with what is in force;
    - done: field messages cleared, forms re-mounted (cleared, or showing the saved values),
      the page reloaded, and the `success` message (a catalogue key) if one is given.
    """
    try:
        await write_as_caller(state, fn, **kwargs)
    except DomainError as err:
        await refresh(state)
        if isinstance(err, StaleForm):  # show what is in force instead of the stale values
            if "errors" in state.base_vars:
                state.errors = {}  # type: ignore[attr-defined]
            remount_forms(state)
        return await fail(state, err)
    if "errors" in state.base_vars:
        state.errors = {}  # type: ignore[attr-defined]
    remount_forms(state)
    await refresh(state)
    return rx.toast.success(translate(await language_of(state), success)) if success else None


async def refresh(state: rx.State) -> None:
    """The page's `_reload()` after an action. If the caller may not read it either (say a
    forged call from someone without the role), the page keeps what it showed: the action's
    own answer is what they see."""
    try:
        await state._reload()  # type: ignore[attr-defined]
    except DomainError:
        return


async def save_and_reload(state: rx.State, fn: Callable[..., object], /,
                          **kwargs: Any) -> rx.event.EventSpec | None:
    """An admin form's save: `run` with the "Saved" message."""
    return await run(state, fn, success="staff.saved", **kwargs)


async def settle(state: rx.State, flow: Callable[..., Settled], /, *args: Any,
                 success: str = "", **kwargs: Any
                 ) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
    """`run` for a card-and-database flow (services/billing/settle.py): Stripe first or
    last, the database step in its own write transaction with the caller resolved inside it
    (`flow(*args, token=<the sid cookie>, **kwargs)` in a worker thread). Then, as `run`:
    refused before anything was done, the page reloads and shows the error; else forms
    re-mount if the database step was made, the page reloads, and the toasts say what was
    asked of Stripe, the `success` message (the database step made) and the refusal of a
    later step."""
    token = session_token(state)
    try:
        done = await anyio.to_thread.run_sync(lambda: flow(*args, token=token, **kwargs))
    except DomainError as err:
        await refresh(state)
        return await fail(state, err)
    if done.recorded:
        if "errors" in state.base_vars:
            state.errors = {}  # type: ignore[attr-defined]
        remount_forms(state)
    await refresh(state)
    lang = await language_of(state)
    said = [rx.toast.info(translate(lang, key)) for key in done.said]
    if done.recorded and success:
        said.append(rx.toast.success(translate(lang, success)))
    if done.failed is not None:
        said.append(await fail(state, done.failed))
    return said[0] if len(said) == 1 else (said or None)
