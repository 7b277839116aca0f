"""Security headers on every HTTP response: the pages, /api/... and the upload endpoint.

The Content-Security-Policy is as tight as the Reflex frontend allows:
- scripts only from this origin, plus inline ones and eval: Reflex's prerendered pages carry
  inline scripts, and `rx.call_script` runs its code with eval;
- styles from this origin and inline (Radix Themes and emotion set style attributes);
- connections to this origin and the app's own websocket (APP_URL);
- images from this origin, data: and blob: URLs; no plugins (`object-src 'none'`);
- forms post only here (login, logout, downloads), frames only from here (the hidden
  download frame), and no other site may frame the app (`frame-ancestors 'none'` and
  `X-Frame-Options: DENY`): no clickjacking.
Stripe Checkout is a navigation (window.location), which CSP does not restrict.
HSTS is sent in production when APP_URL is https.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reserve_app.settings import Settings, get_settings


def policy(settings: Settings) -> str:
    url = urlsplit(settings.app_url)
    socket = f"{'wss' if url.scheme == 'https' else 'ws'}://{url.netloc}"
    origin = f"{url.scheme}://{url.netloc}"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        f"connect-src 'self' {origin} {socket}",
        "frame-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ])


def headers_for(settings: Settings) -> list[tuple[bytes, bytes]]:
    found = {
        "content-security-policy": policy(settings),
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "cross-origin-opener-policy": "same-origin",
    }
    if settings.is_prod and settings.app_url.startswith("https://"):
        found["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    return [(k.encode(), v.encode()) for k, v in found.items()]


def security_headers(app: ASGIApp) -> ASGIApp:
    """ASGI wrapper (the last api_transformer, so it sees every response) that adds the
    headers above to each HTTP response that does not set them itself."""
    extra = headers_for(get_settings())

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in extra if k not in present)]
            await send(message)

        await app(scope, receive, with_headers)

    return wrapped
