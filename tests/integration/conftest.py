"""Integration fixtures: every test runs against a real, freshly migrated database.

- SQLite (always): the Alembic migrations run once per session into a template file, and
  each test gets its own copy of it.
- PostgreSQL (only when TEST_DATABASE_URL is set): one database with a unique name is
  created and migrated per session on that server, every table is truncated before each
  test, and the database is dropped at the end.

Services find the database through the DATABASE_URL setting, exactly as in the app.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from reserve_app.cli import migrate
from reserve_app.services.platform import db
from reserve_app.settings import reset_settings

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate(f"sqlite:///{path}")
    # Fold the write-ahead log into the file so a plain copy is complete.
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()
    return path


def _server_url(url: URL) -> URL:
    return url.set(drivername="postgresql+psycopg")


def _admin_engine(url: URL):  # noqa: ANN202
    """An autocommit engine on the server, via the URL's database or `postgres`."""
    last_error: Exception | None = None
    for database in dict.fromkeys([url.database or "postgres", "postgres"]):
        engine = create_engine(url.set(database=database), isolation_level="AUTOCOMMIT",
                               poolclass=NullPool)
        try:
            with engine.connect():
                return engine
        except OperationalError as exc:
            last_error = exc
            engine.dispose()
    raise RuntimeError(f"cannot connect to TEST_DATABASE_URL's server: {last_error}")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    base = _server_url(make_url(TEST_DATABASE_URL))
    name = f"reserve_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = _admin_engine(base)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_all(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))  # a leaked connection fails fast
            tables = conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'")).scalars().all()
            if tables:
                names = ", ".join(f'"{t}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database for this test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_database")
    db.dispose()
    _truncate_all(url)
    return url


@pytest.fixture(autouse=True)
def app_database(db_url: str, settings_env: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the app's settings (and so every service) at this test's database."""
    settings_env.setenv("DATABASE_URL", db_url)
    reset_settings()
    db.dispose()
    yield db_url
    db.dispose()
    reset_settings()

