"""Settings, read once from the environment (and `.env`), validated at start-up.

Every setting is documented in `.env.example`. A bad value stops the app with a message
naming the setting instead of failing later in a request. pydantic-settings reads and
converts the environment; the rules that span settings (Stripe's two keys, the public
address and its origins) are checked after it.

`.env` is loaded with python-dotenv first and never overrides the real environment; it is
exported to the process, so Reflex's own variables (REFLEX_REDIS_URL, ...) in it count too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv
from pydantic import AfterValidator, AliasChoices, BeforeValidator, Field, ValidationError
from pydantic import model_validator as _model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from reserve_app.domain.accounts import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
__all__ = ["LANGUAGES", "ROOT", "Settings", "SettingsError", "get_settings", "load_settings",
           "reset_settings"]


class SettingsError(RuntimeError):
    """A setting is missing or malformed."""


def _flag(value: object) -> object:
    if isinstance(value, str):
        word = value.strip().lower()
        if word in {"1", "true", "yes", "on"}:
            return True
        if word in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"must be true or false, got {value!r}")
    return value


def _whole(value: object) -> object:
    if isinstance(value, str):
        if not re.fullmatch(r"-?\d+", value.strip()):
            raise ValueError(f"must be a whole number, got {value!r}")
        return int(value)
    return value


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError("must be an http(s) URL such as http://localhost:3000")
    return f"{parts.scheme}://{parts.netloc}"


def _database(url: str) -> str:
    if not re.match(r"^(sqlite|postgresql(\+psycopg)?)://", url):
        raise ValueError("must start with sqlite:// or postgresql://")
    return "postgresql+psycopg://" + url.removeprefix("postgresql://") \
        if url.startswith("postgresql://") else url


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"is not a known time zone: {name!r}") from None
    return name


def _language(code: str) -> str:
    if code not in LANGUAGES:
        raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
    return code


def _currency(code: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", code.upper()):
        raise ValueError("must be a three-letter ISO 4217 code such as EUR")
    return code.upper()


def _stripe_key(key: str) -> str:
    if key and not re.fullmatch(r"(sk|rk)_(test|live)_[A-Za-z0-9]+", key):
        raise ValueError("must look like sk_test_... or sk_live_...")
    return key


def _webhook_secret(secret: str) -> str:
    if secret and not secret.startswith("whsec_"):
        raise ValueError("must start with whsec_")
    return secret


def _http_base(url: str) -> str:
    if url and not re.match(r"^https?://", url):
        raise ValueError("must be an http(s) address")
    return url.rstrip("/")


Flag = Annotated[bool, BeforeValidator(_flag)]


Whole = Annotated[int, BeforeValidator(_whole)]
Port = Annotated[Whole, Field(ge=1, le=65535)]
Origins = Annotated[tuple[str, ...], NoDecode]  # a comma-separated list, not JSON


class Settings(BaseSettings):
    """The app's settings; each field is the environment variable of the same name."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False,
                                      env_file=None, validate_default=True)

    app_env: Annotated[Literal["dev", "prod"], BeforeValidator(
        lambda v: v.strip().lower() if isinstance(v, str) else v)] = "prod"
    port: Port = 3000
    app_url: str = ""                                  # "" = http://localhost:<PORT>
    allowed_origins: Origins = ()              # more origins besides APP_URL's
    database_url: Annotated[str, AfterValidator(_database)] = \
        f"sqlite:///{ROOT / 'reserve_app.db'}"
    cookie_secure_setting: Flag | None = Field(   # unset: secure cookies in production
        None, validation_alias=AliasChoices("COOKIE_SECURE"))
    session_ttl_hours: Annotated[Whole, Field(ge=1, le=24 * 365)] = 24 * 14
    login_max_failures: Annotated[Whole, Field(ge=1, le=100)] = 5
    login_window_minutes: Annotated[Whole, Field(ge=1, le=24 * 60)] = 15
    smtp_host: str = ""
    smtp_port: Port = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: Flag = False
    smtp_from: str = "reserve_app <no-reply@localhost>"
    outbox_poll_seconds: Annotated[Whole, Field(ge=1, le=3600)] = 5
    outbox_max_attempts: Annotated[Whole, Field(ge=1, le=50)] = 5
    # Hoarding: open unpaid bookings and pending appointment requests per customer (0 = no
    # limit); unpaid holds expire after so many hours (0 = never), swept every so often.
    max_unpaid_bookings: Annotated[Whole, Field(ge=0, le=1000)] = 3
    max_pending_requests: Annotated[Whole, Field(ge=0, le=1000)] = 3
    booking_hold_hours: Annotated[Whole, Field(ge=0, le=24 * 365)] = 48
    shop_order_hold_hours: Annotated[Whole, Field(ge=0, le=24 * 365)] = 48
    hold_sweep_seconds: Annotated[Whole, Field(ge=1, le=24 * 3600)] = 300
    default_language: Annotated[str, AfterValidator(_language)] = "en"
    default_timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"
    currency: Annotated[str, AfterValidator(_currency)] = "EUR"
    business_name: str = "reserve_app"
    seed_demo: Flag = True
    redis_url: str = Field("", validation_alias=AliasChoices("REFLEX_REDIS_URL"))
    attachments_dir: Annotated[str, AfterValidator(lambda p: str(Path(p).resolve()))] = \
        str(ROOT / "private_files" / "attachments")
    stripe_secret_key: Annotated[str, AfterValidator(_stripe_key)] = ""
    stripe_webhook_secret: Annotated[str, AfterValidator(_webhook_secret)] = ""
    stripe_api_base: Annotated[str, AfterValidator(_http_base)] = ""  # tests: a fake server

    @_model_validator(mode="before")
    @classmethod
    def _blank_means_default(cls, data: Any) -> Any:
        """Values are trimmed; an unset or blank setting means its default (a password is
        taken as it is)."""
        if not isinstance(data, dict):
            return data
        out: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, str) and key.lower() != "smtp_password":
                value = value.strip()
            if value != "":
                out[key] = value
        raw = out.get("allowed_origins")
        if isinstance(raw, str):
            out["allowed_origins"] = tuple(o.strip() for o in raw.split(",") if o.strip())
        return out

    @_model_validator(mode="after")
    def _across_settings(self) -> Settings:
        """What spans settings: the public address and its origins, Stripe's pair of keys."""
        port, env = self.port, self.app_env
        url = (self.app_url or f"http://localhost:{port}").rstrip("/")
        try:
            origin = _origin(url)
        except ValueError as err:
            raise _named("APP_URL", err) from None
        try:
            extra = [_origin(o) for o in self.allowed_origins]
        except ValueError as err:
            raise _named("ALLOWED_ORIGINS", err) from None
        key, hook = self.stripe_secret_key, self.stripe_webhook_secret
        if bool(key) != bool(hook):
            raise ValueError("Stripe needs both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET "
                             "(or neither, for the built-in manual provider)")
        if "_live_" in key and env != "prod":
            raise ValueError("a live Stripe key (sk_live_...) is only accepted with "
                             "APP_ENV=prod")
        fill = {"app_url": url, "allowed_origins": tuple(dict.fromkeys([origin, *extra]))}
        for name, value in fill.items():
            object.__setattr__(self, name, value)  # frozen: filled in once, here
        return self

    @property
    def cookie_secure(self) -> bool:
        return self.is_prod if self.cookie_secure_setting is None else self.cookie_secure_setting

    @property
    def is_prod(self) -> bool:
        return self.app_env == "prod"

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_secret_key)

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)


ALIASES = {"redis_url": "REFLEX_REDIS_URL", "cookie_secure_setting": "COOKIE_SECURE",
           "REFLEX_REDIS_URL": "REFLEX_REDIS_URL", "COOKIE_SECURE": "COOKIE_SECURE"}


def _named(setting: str, err: ValueError) -> ValueError:
    return ValueError(f"{setting} {err}")


def _message(err: ValidationError) -> str:
    """`NAME problem` for each bad setting (the environment variable's name)."""
    lines = []
    for problem in err.errors(include_url=False):
        text = str(problem["msg"]).removeprefix("Value error, ")
        loc = problem["loc"]
        if loc:
            name = ALIASES.get(str(loc[0]), str(loc[0]).upper())
            got = problem.get("input")
            text = f"{name} {text[0].lower()}{text[1:]}" + (
                f" (got {got!r})" if isinstance(got, str) and repr(got) not in text else "")
        lines.append(text)
    return "; ".join(lines)


def load_settings(env_file: str | os.PathLike[str] | None = None) -> Settings:
    """Read and validate settings. `.env` values never override the real environment."""
    path = Path(env_file) if env_file else ROOT / ".env"
    if path.exists():
        load_dotenv(path, override=False)
    try:
        return Settings()
    except ValidationError as err:
        raise SettingsError(_message(err)) from None


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
