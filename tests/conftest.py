"""Shared test fixtures: a known, complete settings environment.

Every setting `reserve_app.settings.load_settings` reads is set explicitly (empty where it
should be off), so neither the developer's shell nor a local `.env` changes what tests see:
`.env` is loaded with override=False and never replaces a variable that is already set.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reserve_app.settings import reset_settings

BASE_ENV: dict[str, str] = {
    "APP_ENV": "dev",
    "PORT": "3000",
    "APP_URL": "http://localhost:3000",
    "ALLOWED_ORIGINS": "",
    "DATABASE_URL": "sqlite:///:memory:",
    "COOKIE_SECURE": "false",
    "SESSION_TTL_HOURS": "336",
    "LOGIN_MAX_FAILURES": "5",
    "LOGIN_WINDOW_MINUTES": "15",
    "SMTP_HOST": "",
    "SMTP_PORT": "",
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": "",
    "SMTP_FROM": "Test Shop <no-reply@test.example>",
    "OUTBOX_POLL_SECONDS": "5",
    "OUTBOX_MAX_ATTEMPTS": "5",
    # No hoarding limits or expiry unless a test turns them on (tests/integration/test_holds).
    "MAX_UNPAID_BOOKINGS": "0",
    "MAX_PENDING_REQUESTS": "0",
    "BOOKING_HOLD_HOURS": "48",
    "SHOP_ORDER_HOLD_HOURS": "48",
    "HOLD_SWEEP_SECONDS": "300",
    "DEFAULT_LANGUAGE": "en",
    "DEFAULT_TIMEZONE": "UTC",
    "CURRENCY": "EUR",
    "BUSINESS_NAME": "Test Shop",
    "SEED_DEMO": "false",
    "REFLEX_REDIS_URL": "",
    # Stripe off unless a test turns it on (a developer's .env keys must not switch it on).
    "STRIPE_SECRET_KEY": "",
    "STRIPE_WEBHOOK_SECRET": "",
    "STRIPE_API_BASE": "",
}


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set every setting to a known value; yields monkeypatch to change some of them.

    After changing a variable call `reset_settings()` so `get_settings()` reads it again.
    """
    for name, value in BASE_ENV.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    yield monkeypatch
    reset_settings()
