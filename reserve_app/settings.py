"""Settings, read once from the environment (and `.env`), validated at start-up.

Every setting is documented in `.env.example`. A bad value stops the app with a message
naming the setting instead of failing later in a request.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "ar", "he", "ru", "pl")


class SettingsError(RuntimeError):
    """A setting is missing or malformed."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _int(name: str, default: int, *, minimum: int = 0, maximum: int = 10**9) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _str(name: str, default: str = "") -> str:
    """The setting's value; unset or blank means the default."""
    value = os.environ.get(name, "").strip()
    return value or default


def _origin(url: str, name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SettingsError(f"{name} must be an http(s) URL such as http://localhost:3000")
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class Settings:
    app_env: str
    app_url: str
    port: int
    database_url: str
    allowed_origins: tuple[str, ...]
    cookie_secure: bool
    session_ttl_hours: int
    login_max_failures: int
    login_window_minutes: int
    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_password: str
    smtp_starttls: bool
    smtp_from: str
    outbox_poll_seconds: int
    outbox_max_attempts: int
    default_language: str
    default_timezone: str
    currency: str
    business_name: str
    seed_demo: bool
    redis_url: str = ""
    attachments_dir: str = str(ROOT / "private_files" / "attachments")
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""          # "" = Stripe's own; tests point it at a fake server
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_prod(self) -> bool:
        return self.app_env == "prod"

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_secret_key)

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)


def load_settings(env_file: str | os.PathLike[str] | None = None) -> Settings:
    """Read and validate settings. `.env` values never override the real environment."""
    path = Path(env_file) if env_file else ROOT / ".env"
    if path.exists():
        load_dotenv(path, override=False)

    app_env = _str("APP_ENV", "prod").lower()
    if app_env not in {"dev", "prod"}:
        raise SettingsError(f"APP_ENV must be dev or prod, got {app_env!r}")
    port = _int("PORT", 3000, minimum=1, maximum=65535)
    app_url = _str("APP_URL", f"http://localhost:{port}").rstrip("/")
    origin = _origin(app_url, "APP_URL")
    extra_origins = [o.strip() for o in _str("ALLOWED_ORIGINS").split(",") if o.strip()]
    origins = tuple(dict.fromkeys(
        [origin, *(_origin(o, "ALLOWED_ORIGINS") for o in extra_origins)]))

    database_url = _str("DATABASE_URL", f"sqlite:///{ROOT / 'reserve_app.db'}")
    if not re.match(r"^(sqlite|postgresql(\+psycopg)?)://", database_url):
        raise SettingsError("DATABASE_URL must start with sqlite:// or postgresql://")
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    language = _str("DEFAULT_LANGUAGE", "en")
    if language not in LANGUAGES:
        raise SettingsError(f"DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    timezone = _str("DEFAULT_TIMEZONE", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"DEFAULT_TIMEZONE is not a known time zone: {timezone!r}") from None
    currency = _str("CURRENCY", "EUR").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise SettingsError("CURRENCY must be a three-letter ISO 4217 code such as EUR")

    stripe_key, stripe_hook = _str("STRIPE_SECRET_KEY"), _str("STRIPE_WEBHOOK_SECRET")
    if bool(stripe_key) != bool(stripe_hook):
        raise SettingsError("Stripe needs both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET "
                            "(or neither, for the built-in manual provider)")
    if stripe_key and not re.fullmatch(r"(sk|rk)_(test|live)_[A-Za-z0-9]+", stripe_key):
        raise SettingsError("STRIPE_SECRET_KEY must look like sk_test_... or sk_live_...")
    if stripe_hook and not stripe_hook.startswith("whsec_"):
        raise SettingsError("STRIPE_WEBHOOK_SECRET must start with whsec_")
    if "_live_" in stripe_key and app_env != "prod":
        raise SettingsError("a live Stripe key (sk_live_...) is only accepted with APP_ENV=prod")
    stripe_base = _str("STRIPE_API_BASE").rstrip("/")
    if stripe_base and not re.match(r"^https?://", stripe_base):
        raise SettingsError("STRIPE_API_BASE must be an http(s) address")

    smtp_host = _str("SMTP_HOST")
    smtp_from = _str("SMTP_FROM", "reserve_app <no-reply@localhost>")

    return Settings(
        app_env=app_env,
        app_url=app_url,
        port=port,
        database_url=database_url,
        allowed_origins=origins,
        cookie_secure=_bool("COOKIE_SECURE", app_env == "prod"),
        session_ttl_hours=_int("SESSION_TTL_HOURS", 24 * 14, minimum=1, maximum=24 * 365),
        login_max_failures=_int("LOGIN_MAX_FAILURES", 5, minimum=1, maximum=100),
        login_window_minutes=_int("LOGIN_WINDOW_MINUTES", 15, minimum=1, maximum=24 * 60),
        smtp_host=smtp_host,
        smtp_port=_int("SMTP_PORT", 587, minimum=1, maximum=65535),
        smtp_username=_str("SMTP_USERNAME"),
        smtp_password=os.environ.get("SMTP_PASSWORD", ""),
        smtp_starttls=_bool("SMTP_STARTTLS", False),
        smtp_from=smtp_from,
        outbox_poll_seconds=_int("OUTBOX_POLL_SECONDS", 5, minimum=1, maximum=3600),
        outbox_max_attempts=_int("OUTBOX_MAX_ATTEMPTS", 5, minimum=1, maximum=50),
        default_language=language,
        default_timezone=timezone,
        currency=currency,
        business_name=_str("BUSINESS_NAME", "reserve_app"),
        seed_demo=_bool("SEED_DEMO", True),
        redis_url=_str("REFLEX_REDIS_URL"),
        stripe_secret_key=stripe_key,
        stripe_webhook_secret=stripe_hook,
        stripe_api_base=stripe_base,
        attachments_dir=str(Path(_str("ATTACHMENTS_DIR",
                                      str(ROOT / "private_files" / "attachments"))).resolve()),
    )


_settings: Settings | None = None


def get_settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment)."""
    global _settings
    _settings = None
