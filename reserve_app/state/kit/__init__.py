"""The state kit: what every rx.State uses, and the only state module that is no state.

- runtime: the caller from the cookie, use cases in a worker thread inside one unit of work,
  page access;
- feedback: `run` (the one runner for actions; `settle` for the card-and-database flows of
  services/billing/settle.py), errors as toasts and field messages;
- forms: reading what the browser sent, re-mounting forms that show saved values;
- browser: POST navigation, downloads, off to Stripe Checkout;
- i18n (`I18nState`), session (`SessionState`: who is looking, the language switcher).

States import the kit as `from reserve_app.state import kit` and call `kit.run(...)`,
`kit.current_actor(...)` and so on.
"""

from __future__ import annotations

from reserve_app.state.kit.browser import download_by_post, pay_online, post_to
from reserve_app.state.kit.feedback import (
    error_toast,
    fail,
    field_errors,
    run,
    save_and_reload,
    settle,
)
from reserve_app.state.kit.forms import (
    checked_ids,
    digits,
    int_param,
    query_param,
    remount_forms,
    text_field,
)
from reserve_app.state.kit.i18n import language_of
from reserve_app.state.kit.runtime import (
    SESSION_COOKIE,
    cookies_of,
    current_actor,
    open_page,
    page_access,
    read,
    read_as_caller,
    session_token,
    viewer_timezone,
    write,
    write_as_caller,
)

__all__ = [
    "SESSION_COOKIE", "checked_ids", "cookies_of", "current_actor", "digits", "download_by_post",
    "error_toast", "fail", "field_errors", "int_param", "language_of", "open_page",
    "page_access", "pay_online", "post_to", "query_param", "read", "read_as_caller",
    "remount_forms", "run", "save_and_reload", "session_token", "settle", "text_field",
    "viewer_timezone", "write", "write_as_caller",
]
