"""HTTP routes under /api/, mounted in front of Reflex with `api_transformer`.

POST /api/session  exchanges a one-time login ticket for the HttpOnly session cookie.
POST /api/logout   deletes the server-side session and clears the cookie.
Both accept only requests whose Origin (or Referer) is the app's own.
GET  /api/attachments/{id}  a ticket attachment, to its customer and to staff only.
POST /api/reservations/export  staff's CSV of reservations (same origin only).
POST /api/stripe/webhook  Stripe's events (signature checked; no cookie, no origin).

`guard_uploads` wraps the whole app: Reflex's `POST /_upload` runs the handler in the state
of whatever tab the request names, so it is let through only for the tab's own user, with
a declared size within the limit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast
from urllib.parse import urlsplit

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reserve_app.domain import tickets as ticket_rules
from reserve_app.domain import vouchers as voucher_rules
from reserve_app.domain.accounts import Actor
from reserve_app.domain.errors import DomainError
from reserve_app.domain.ids import ascii_digits, parse_id
from reserve_app.services import appointments, tickets, uow, vouchers
from reserve_app.services.accounts import auth
from reserve_app.settings import get_settings
from reserve_app.state.kit import SESSION_COOKIE, session_token

MAX_FORM_BYTES = 4096


def same_origin(request: Request) -> bool:
    allowed = get_settings().allowed_origins
    origin = request.headers.get("origin")
    if origin:
        return origin in allowed
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}" in allowed
    return False


def _too_large(request: Request, limit: int) -> Response | None:
    """A form POST must declare its length (no chunked bodies) within `limit`: refused here,
    before any of the body is read. (The server then reads no more than declared.)"""
    length = request.headers.get("content-length", "")
    if not ascii_digits(length, limit=12):
        return PlainTextResponse("Length required.", status_code=411)
    if int(length) > limit:
        return PlainTextResponse("Request too large.", status_code=413)
    return None


def _forbidden() -> Response:
    return PlainTextResponse("Cross-origin request refused.", status_code=403)


def _cookie_secure() -> bool:
    return get_settings().cookie_secure


async def create_session(request: Request) -> Response:
    if not same_origin(request):
        return _forbidden()
    if (refused := _too_large(request, MAX_FORM_BYTES)) is not None:
        return refused
    form = await request.form(max_files=0, max_fields=5)
    ticket = form.get("ticket")

    new = await anyio.to_thread.run_sync(
        lambda: uow.run_write(auth.redeem_ticket, ticket=ticket))
    if new is None:
        return RedirectResponse("/login?expired=1", status_code=303)
    response = RedirectResponse(new.next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, new.token, max_age=get_settings().session_ttl_hours * 3600,
        path="/", httponly=True, samesite="lax", secure=_cookie_secure(),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def end_session(request: Request) -> Response:
    if not same_origin(request):
        return _forbidden()
    token = request.cookies.get(SESSION_COOKIE)

    await anyio.to_thread.run_sync(lambda: uow.run_write(auth.logout, token=token))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=_cookie_secure())
    response.headers["Cache-Control"] = "no-store"
    return response


async def appointment_ics(request: Request) -> Response:
    """GET /api/appointments/{id}.ics: only the appointment's customer or staff."""
    token = request.cookies.get(SESSION_COOKIE)
    raw_id = request.path_params.get("appointment_id", "")

    def build() -> bytes | None:
        try:
            return auth.run_as_caller(appointments.ics, token=token, write=False,
                                     appointment_id=parse_id(raw_id))
        except DomainError:
            return None

    body = await anyio.to_thread.run_sync(build)
    if body is None:
        return PlainTextResponse("Not found.", status_code=404,
                                 headers={"Cache-Control": "no-store"})
    return Response(body, media_type="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="appointment-{raw_id}.ics"',
        "Cache-Control": "no-store"})


def _not_found() -> Response:
    return PlainTextResponse("Not found.", status_code=404, headers={"Cache-Control": "no-store"})


async def attachment(request: Request) -> Response:
    """GET /api/attachments/{id}: the file, as a download, to the ticket's customer or staff
    (internal notes' files to staff only); anyone else gets 404, as for a missing file."""
    token = request.cookies.get(SESSION_COOKIE)
    raw_id = request.path_params.get("attachment_id", "")

    def find() -> tickets.FileToSend | None:
        try:
            return auth.run_as_caller(
                tickets.open_attachment, token=token, write=False,
                attachment_id=parse_id(raw_id))
        except DomainError:
            return None

    found = await anyio.to_thread.run_sync(find)
    if found is None:
        return _not_found()
    return FileResponse(found.path, media_type=found.content_type, filename=found.filename,
                        content_disposition_type="attachment", headers={
                            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                            "Content-Security-Policy": "default-src 'none'; sandbox"})


MAX_EXPORT_IDS = 10_000
MAX_EXPORT_FORM_BYTES = 200_000


async def export_reservations(request: Request) -> Response:
    """POST /api/reservations/export (staff; same origin): the CSV of the chosen reservations
    (`ids` "1,2,3") or of all matching the filter (`ids` "all"), streamed in batches."""
    if not same_origin(request):
        return _forbidden()
    if (refused := _too_large(request, MAX_EXPORT_FORM_BYTES)) is not None:
        return refused
    token = request.cookies.get(SESSION_COOKIE)

    def staff() -> Actor | None:
        try:
            return auth.run_as_caller(vouchers.export_caller, token=token, write=False)
        except DomainError:
            return None

    actor = await anyio.to_thread.run_sync(staff)   # before any of the body is read
    if actor is None:
        return PlainTextResponse("Not allowed.", status_code=403,
                                 headers={"Cache-Control": "no-store"})
    form = await request.form(max_files=0, max_fields=10)

    def check() -> tuple[str, voucher_rules.ReservationFilter, list[int] | None] | None:
        try:
            chosen = voucher_rules.parse_filter(form.get("promotion"), form.get("variant"),
                                                form.get("action"))
        except DomainError:
            return None
        raw = form.get("ids")
        if raw == "all":
            return actor.language, chosen, None
        parts = raw.split(",") if isinstance(raw, str) and raw else []
        if not parts or len(parts) > MAX_EXPORT_IDS or not all(
                p.isascii() and p.isdigit() and len(p) < 12 for p in parts):
            return None
        return actor.language, chosen, sorted({int(p) for p in parts})

    found = check()
    if found is None:
        return PlainTextResponse("Not allowed.", status_code=403,
                                 headers={"Cache-Control": "no-store"})
    lang, chosen, ids = found
    return StreamingResponse(vouchers.export_csv(chosen, ids, lang),
                             media_type="text/csv; charset=utf-8", headers={
                                 "Content-Disposition": 'attachment; filename="reservations.csv"',
                                 "Cache-Control": "no-store"})


MAX_WEBHOOK_BYTES = 1024 * 1024


async def stripe_webhook(request: Request) -> Response:
    """POST /api/stripe/webhook: Stripe's events, verified on the raw body (400 if the
    signature, body or timestamp is not right), each applied once (webhooks.py)."""
    from reserve_app.services.billing.payments import webhooks

    if not get_settings().stripe_enabled:
        return _not_found()
    if (refused := _too_large(request, MAX_WEBHOOK_BYTES)) is not None:
        return refused
    payload = await request.body()
    signature = request.headers.get("stripe-signature")
    try:
        outcome = await anyio.to_thread.run_sync(lambda: webhooks.handle(payload, signature))
    except webhooks.BadEvent:
        return PlainTextResponse("Bad event.", status_code=400)
    except webhooks.BadSignature:
        return PlainTextResponse("Bad signature.", status_code=400)
    return PlainTextResponse(outcome.result, status_code=200)


# Multipart framing around one file of at most MAX_FILE_BYTES.
MAX_UPLOAD_BYTES = ticket_rules.MAX_FILE_BYTES + 64 * 1024
UPLOAD_PATH = "/_upload"
# The event handlers that take files (a tab's `upload` on the ticket pages); an upload naming
# any other handler is a client mistake, answered 400 (Reflex itself would fail with a 500).
UPLOAD_HANDLERS = frozenset({"upload"})


def guard_uploads(app: ASGIApp, *,
                  tab_session: Callable[[str], Awaitable[str | None]] | None = None) -> ASGIApp:
    """ASGI wrapper in front of Reflex's upload endpoint.

    - `GET /_upload/...` (Reflex's public folder of uploaded files) is closed: attachments
      are kept elsewhere and served by `attachment` above.
    - `POST /_upload` needs a Content-Length within MAX_UPLOAD_BYTES (411/413 before any of
      the body is read), must name a handler that takes files (400 otherwise: see
      UPLOAD_HANDLERS), and the request's own session cookie must belong to the same user
      as the tab it names in `Reflex-Client-Token` (403 otherwise): a stolen or guessed
      client token alone uploads nothing. The body is counted as it streams in and may not
      run past its declared length.
    """
    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == UPLOAD_PATH or path.startswith(UPLOAD_PATH + "/")):
            await app(scope, receive, send)
            return
        request = Request(scope)
        if scope.get("method") != "POST" or path != UPLOAD_PATH:
            await _not_found()(scope, receive, send)
            return
        length = request.headers.get("content-length", "")
        if not ascii_digits(length, limit=12):
            await PlainTextResponse("Length required.", status_code=411)(scope, receive, send)
            return
        if int(length) > MAX_UPLOAD_BYTES:
            await PlainTextResponse("File too large.", status_code=413)(scope, receive, send)
            return
        handler = request.headers.get("reflex-event-handler", "")
        if handler.rpartition(".")[2] not in UPLOAD_HANDLERS or len(handler) > 300:
            await PlainTextResponse("This action takes no files.", status_code=400)(
                scope, receive, send)
            return
        if not await _tab_is_callers(request.headers.get("reflex-client-token", ""),
                                     request.cookies.get(SESSION_COOKIE),
                                     tab_session or _tab_session):
            await PlainTextResponse("Forbidden.", status_code=403)(scope, receive, send)
            return
        allowed, seen = int(length), 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > allowed:
                    raise ValueError("upload body longer than its Content-Length")
            return message

        await app(scope, counted, send)

    return guarded


async def _tab_session(client_token: str) -> str | None:
    """The session cookie the tab `client_token` connected with (from its state)."""
    import reflex as rx
    from reflex.utils.prerequisites import get_and_validate_app

    reflex_app = get_and_validate_app().app
    root = await reflex_app.state_manager.get_state(
        rx.BaseStateToken(ident=client_token, cls=rx.State))
    return session_token(cast("rx.State", root))


async def _tab_is_callers(client_token: str, sid: str | None,
                          tab_session: Callable[[str], Awaitable[str | None]]) -> bool:
    """True if the tab `client_token` is open for the same user as the session `sid`."""
    if not client_token or not sid or len(client_token) > 100:
        return False

    def user_of(token: str) -> int | None:
        actor = uow.run_read(auth.resolve_actor, token=token)
        return actor.user_id if actor is not None else None

    # The caller's own login first: a visitor never makes the state manager look a tab up.
    caller = await anyio.to_thread.run_sync(user_of, sid)
    if caller is None:
        return False
    tab_sid = await tab_session(client_token)
    if not tab_sid:
        return False
    return tab_sid == sid or await anyio.to_thread.run_sync(user_of, tab_sid) == caller


routes = Starlette(routes=[
    Route("/api/session", create_session, methods=["POST"]),
    Route("/api/logout", end_session, methods=["POST"]),
    Route("/api/appointments/{appointment_id}.ics", appointment_ics, methods=["GET"]),
    Route("/api/attachments/{attachment_id}", attachment, methods=["GET"]),
    Route("/api/reservations/export", export_reservations, methods=["POST"]),
    Route("/api/stripe/webhook", stripe_webhook, methods=["POST"]),
])
