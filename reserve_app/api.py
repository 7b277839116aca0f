"""HTTP routes under /api/, mounted in front of Reflex with `api_transformer`.

POST /api/session  exchanges a one-time login ticket for the HttpOnly session cookie.
POST /api/logout   deletes the server-side session and clears the cookie.
Both accept only requests whose Origin (or Referer) is the app's own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from reserve_app.domain.errors import DomainError
from reserve_app.services import appointments, auth, db
from reserve_app.settings import get_settings
from reserve_app.state.base import SESSION_COOKIE

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


def _forbidden() -> Response:
    return PlainTextResponse("Cross-origin request refused.", status_code=403)


def _cookie_secure() -> bool:
    return get_settings().cookie_secure


async def create_session(request: Request) -> Response:
    if not same_origin(request):
        return _forbidden()
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return PlainTextResponse("Request too large.", status_code=413)
    form = await request.form()
    ticket = form.get("ticket")

    def redeem() -> auth.NewSession | None:
        with db.write_session() as session:
            return auth.redeem_ticket(session, ticket=ticket)

    new = await anyio.to_thread.run_sync(redeem)
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

    def drop() -> None:
        with db.write_session() as session:
            auth.logout(session, token=token)

    await anyio.to_thread.run_sync(drop)
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
        with db.read_session() as session:
            actor = auth.resolve_actor(session, token=token)
            try:
                return appointments.ics(session, actor=actor,
                                        appointment_id=int(raw_id) if raw_id.isdigit() else None)
            except DomainError:
                return None

    body = await anyio.to_thread.run_sync(build)
    if body is None:
        return PlainTextResponse("Not found.", status_code=404,
                                 headers={"Cache-Control": "no-store"})
    return Response(body, media_type="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="appointment-{raw_id}.ics"',
        "Cache-Control": "no-store"})


routes = Starlette(routes=[
    Route("/api/session", create_session, methods=["POST"]),
    Route("/api/logout", end_session, methods=["POST"]),
    Route("/api/appointments/{appointment_id}.ics", appointment_ics, methods=["GET"]),
])
