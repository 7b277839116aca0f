"""The Reflex app: pages, HTTP routes, error handling, background tasks."""

import logging
import traceback

import reflex as rx
from reflex.event import EventSpec

from reserve_app import models
from reserve_app.api import guard_uploads, routes
from reserve_app.headers import security_headers
from reserve_app.i18n import translate
from reserve_app.live.dispatcher import run_dispatcher
from reserve_app.pages.registry import register_all
from reserve_app.services.holds import run_expiry
from reserve_app.services.platform.outbox import run_deliverer
from reserve_app.settings import get_settings

log = logging.getLogger("reserve_app")

# Importing `models` puts every table on SQLModel.metadata, which Reflex's own registered
# base model shares: `reflex db` commands see the schema without registering each table.
assert models.ALL_MODELS

# The viewer's time zone, for showing times; read server-side from the Cookie header.
TZ_SCRIPT = (
    "try{document.cookie='tz='+encodeURIComponent(Intl.DateTimeFormat().resolvedOptions()"
    ".timeZone)+';path=/;max-age=31536000;samesite=lax'}catch(e){}"
)


def backend_error(exception: Exception) -> EventSpec:
    """Anything unexpected: logged with its traceback, the user sees a generic message."""
    log.error("unhandled error in event handler:\n%s",
              "".join(traceback.format_exception(exception)))
    toast: EventSpec = rx.toast.error(translate(get_settings().default_language,
                                                "error.unexpected"))
    return toast


app = rx.App(
    stylesheets=["/styles.css"],
    head_components=[rx.script(TZ_SCRIPT)],
    # Routes under /api/ first; the upload guard wraps everything (see api.guard_uploads);
    # the security headers go on every response (headers.py).
    api_transformer=[routes, guard_uploads, security_headers],
    backend_exception_handler=backend_error,
)

# Every page module declares its pages (`@page(route, *on_load)`, pages/registry.py).
register_all(app, title=get_settings().business_name)

app.register_lifespan_task(run_deliverer)
app.register_lifespan_task(run_dispatcher)
app.register_lifespan_task(run_expiry)
