"""Settings fail fast at start-up, naming the setting, instead of failing in a request."""

from __future__ import annotations

from pathlib import Path

import pytest

from reserve_app.settings import SettingsError, get_settings, load_settings, reset_settings
from tests.conftest import BASE_ENV


@pytest.fixture
def no_env_file(tmp_path: Path) -> Path:
    return tmp_path / "missing.env"


def load(env: pytest.MonkeyPatch, path: Path, **values: str):  # noqa: ANN201
    for name, value in values.items():
        env.setenv(name, value)
    return load_settings(env_file=path)


def test_base_environment_loads(settings_env: pytest.MonkeyPatch, no_env_file: Path) -> None:
    settings = load(settings_env, no_env_file)
    assert (settings.app_env, settings.port, settings.currency, settings.business_name) == (
        "dev", 3000, "EUR", "Test Shop")
    assert settings.smtp_enabled is False
    assert settings.smtp_port == 587


def test_defaults_when_nothing_is_set(settings_env: pytest.MonkeyPatch,
                                      no_env_file: Path) -> None:
    for name in BASE_ENV:
        settings_env.delenv(name)
    settings = load_settings(env_file=no_env_file)
    assert settings.app_env == "prod" and settings.is_prod
    assert settings.cookie_secure is True  # secure cookies by default in production
    assert (settings.port, settings.app_url) == (3000, "http://localhost:3000")
    assert settings.allowed_origins == ("http://localhost:3000",)
    assert settings.database_url.startswith("sqlite:///")
    assert (settings.login_max_failures, settings.login_window_minutes) == (5, 15)
    assert (settings.default_language, settings.default_timezone, settings.currency) == (
        "en", "UTC", "EUR")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "abc"), ("PORT", "0"), ("PORT", "65536"), ("PORT", "-1"), ("PORT", "80.5"),
        ("APP_ENV", "staging"), ("APP_ENV", "production"),
        ("APP_URL", "localhost:3000"), ("APP_URL", "ftp://example.com"), ("APP_URL", "http://"),
        ("ALLOWED_ORIGINS", "example.com"), ("ALLOWED_ORIGINS", "http://ok.example, nope"),
        ("DATABASE_URL", "mysql://user@host/db"), ("DATABASE_URL", "postgres://u@h/db"),
        ("DATABASE_URL", "reserve.db"), ("DATABASE_URL", "postgresql+asyncpg://u@h/db"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus_Mons"), ("DEFAULT_TIMEZONE", "../../etc/passwd"),
        ("DEFAULT_TIMEZONE", "UTC+3"),
        ("DEFAULT_LANGUAGE", "de"), ("DEFAULT_LANGUAGE", "EN"),
        ("CURRENCY", "EURO"), ("CURRENCY", "E1R"), ("CURRENCY", "€"), ("CURRENCY", "US"),
        ("COOKIE_SECURE", "maybe"), ("SEED_DEMO", "2"), ("SMTP_STARTTLS", "enabled"),
        ("SMTP_PORT", "smtp"), ("SMTP_PORT", "70000"),
        ("SESSION_TTL_HOURS", "0"), ("LOGIN_MAX_FAILURES", "0"),
        ("LOGIN_WINDOW_MINUTES", "x"), ("OUTBOX_MAX_ATTEMPTS", "51"),
        ("OUTBOX_POLL_SECONDS", "0"),
    ],
)
def test_bad_values_fail_fast_naming_the_setting(settings_env: pytest.MonkeyPatch,
                                                 no_env_file: Path, name: str,
                                                 value: str) -> None:
    with pytest.raises(SettingsError) as err:
        load(settings_env, no_env_file, **{name: value})
    assert name in str(err.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), (" on ", True), ("0", False),
     ("False", False), ("no", False), ("off", False), ("", True)],
)
def test_boolean_values(settings_env: pytest.MonkeyPatch, no_env_file: Path, value: str,
                        expected: bool) -> None:
    settings = load(settings_env, no_env_file, SEED_DEMO=value)
    assert settings.seed_demo is expected


def test_values_are_normalised(settings_env: pytest.MonkeyPatch, no_env_file: Path) -> None:
    settings = load(
        settings_env, no_env_file,
        APP_ENV=" PROD ", PORT=" 8080 ", APP_URL="https://shop.example/path/",
        ALLOWED_ORIGINS="https://a.example/x, https://shop.example ,,",
        DATABASE_URL="postgresql://u:p@db.example:5432/shop", CURRENCY="usd",
        DEFAULT_TIMEZONE="Asia/Jerusalem", SMTP_HOST="mail.example",
    )
    assert settings.app_env == "prod" and settings.port == 8080
    assert settings.app_url == "https://shop.example/path"
    assert settings.allowed_origins == ("https://shop.example", "https://a.example")
    assert settings.database_url == "postgresql+psycopg://u:p@db.example:5432/shop"
    assert settings.currency == "USD"
    assert settings.default_timezone == "Asia/Jerusalem"
    assert settings.smtp_enabled is True


def test_env_file_fills_in_but_never_overrides(settings_env: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    env_file = tmp_path / "test.env"
    env_file.write_text("PORT=4000\nBUSINESS_NAME=From The File\n", encoding="utf-8")
    settings_env.delenv("BUSINESS_NAME")
    settings = load_settings(env_file=env_file)
    assert settings.port == 3000  # the real environment wins
    assert settings.business_name == "From The File"


def test_bad_value_in_env_file_fails_too(settings_env: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    env_file = tmp_path / "test.env"
    env_file.write_text("CURRENCY=euros\n", encoding="utf-8")
    settings_env.delenv("CURRENCY")
    with pytest.raises(SettingsError, match="CURRENCY"):
        load_settings(env_file=env_file)


def test_get_settings_is_read_once_until_reset(settings_env: pytest.MonkeyPatch) -> None:
    first = get_settings()
    settings_env.setenv("BUSINESS_NAME", "Changed")
    assert get_settings() is first
    reset_settings()
    assert get_settings().business_name == "Changed"
