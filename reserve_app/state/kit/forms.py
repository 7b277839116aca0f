"""Forms: reading what the browser sent (every value is checked, anything unexpected becomes
"missing" and the use case refuses it with a clear message), and re-mounting forms that
show saved values."""

from __future__ import annotations

import reflex as rx

from reserve_app.domain.ids import ascii_digits, parse_id


def checked_ids(form: object, prefix: str) -> list[int]:
    """Ids of the checked boxes named `<prefix><id>` in form data."""
    items = form.items() if isinstance(form, dict) else []
    return [int(k[len(prefix):]) for k, v in items
            if isinstance(k, str) and k.startswith(prefix) and ascii_digits(k[len(prefix):]) and v]


def text_field(form: object, name: str, limit: int = 2000) -> str:
    """A string field from form data; anything that is not a short string becomes ''."""
    if not isinstance(form, dict):
        return ""
    value = form.get(name, "")
    return value if isinstance(value, str) and len(value) <= limit else ""


def digits(value: object) -> int | None:
    """A record id sent as text (a select's or a data attribute's value), else None."""
    return int(value) if ascii_digits(value) else None


def int_param(state: rx.State, name: str) -> int | None:
    """A positive whole number from the page's query string, else None."""
    raw = state.router.url.query_parameters.get(name, "")
    return parse_id(raw)


def query_param(state: rx.State, name: str, limit: int = 64) -> str:
    raw = state.router.url.query_parameters.get(name, "")
    return raw if len(raw) <= limit else ""


def remount_forms(state: rx.State) -> None:
    """Re-mount the state's forms (their `key` includes `form_key`).

    Inputs with `default_value` / `default_checked` are uncontrolled: React applies the
    default only when the input mounts. A form that shows saved values (settings, an edit
    form) must therefore re-mount whenever those values were (re)loaded, or a new screen keeps
    the values the page was built with and a "Save" would put them back.
    """
    if "form_key" in state.base_vars:
        state.form_key += 1  # type: ignore[attr-defined]
