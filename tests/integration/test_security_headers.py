"""Every response carries the security headers (headers.py), production adds HSTS."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from reserve_app import api
from reserve_app.headers import security_headers
from reserve_app.settings import reset_settings


def client() -> TestClient:
    return TestClient(security_headers(api.guard_uploads(api.routes)))


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/attachments/1"), ("GET", "/api/appointments/1.ics"), ("POST", "/api/logout"),
    ("GET", "/_upload/x.png"), ("POST", "/_upload"), ("GET", "/no-such-route"),
])
def test_every_response_carries_them(settings_env: pytest.MonkeyPatch, method: str,
                                     path: str) -> None:
    headers = client().request(method, path).headers
    csp = headers["content-security-policy"]
    for part in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
                 "form-action 'self'", "base-uri 'self'",
                 "connect-src 'self' http://localhost:3000 ws://localhost:3000"):
        assert part in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["permissions-policy"].startswith("camera=()")
    assert "strict-transport-security" not in headers


def test_production_on_https_adds_hsts_and_a_secure_websocket(
        settings_env: pytest.MonkeyPatch) -> None:
    settings_env.setenv("APP_ENV", "prod")
    settings_env.setenv("APP_URL", "https://shop.example")
    reset_settings()
    headers = client().get("/api/attachments/1").headers
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "connect-src 'self' https://shop.example wss://shop.example" in headers[
        "content-security-policy"]


def test_a_route_that_sets_a_header_itself_keeps_it(settings_env: pytest.MonkeyPatch) -> None:
    async def app(scope, receive, send):  # noqa: ANN001
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"x-frame-options", b"SAMEORIGIN")]})
        await send({"type": "http.response.body", "body": b"ok"})

    headers = TestClient(security_headers(app)).get("/").headers
    assert headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert headers["x-content-type-options"] == "nosniff"
