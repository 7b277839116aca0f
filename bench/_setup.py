"""Shared set-up for the benchmarks (a helper module: running it does nothing).

Each benchmark works on a database of its own: a fresh SQLite file in a temporary folder by
default, a fresh PostgreSQL database on TEST_DATABASE_URL's server with --postgres (dropped at
the end), or an empty database you name with --database-url (migrated, left in place).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from reserve_app.cli import migrate
from reserve_app.domain.accounts import Actor, Role
from reserve_app.models import User
from reserve_app.services import uow
from reserve_app.services.accounts import auth
from reserve_app.services.platform import db
from reserve_app.settings import reset_settings

ENV = {
    "APP_ENV": "dev",
    "DEFAULT_TIMEZONE": "UTC",
    "DEFAULT_LANGUAGE": "en",
    "CURRENCY": "EUR",
    "SMTP_HOST": "",
    "SEED_DEMO": "false",
    "REFLEX_REDIS_URL": "",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", action="store_true",
                       help="use a fresh database on TEST_DATABASE_URL's PostgreSQL server")
    where.add_argument("--database-url", default="",
                       help="use this (empty) database instead; it is migrated and kept")


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    """A migrated database for the benchmark; the app's services are pointed at it."""
    with _url(args) as url:
        os.environ.update(ENV)
        os.environ["DATABASE_URL"] = url
        reset_settings()
        db.dispose()
        migrate(url)
        try:
            yield url
        finally:
            db.dispose()


@contextmanager
def _url(args: argparse.Namespace) -> Iterator[str]:
    if args.database_url:
        yield args.database_url
    elif args.postgres:
        server = os.environ.get("TEST_DATABASE_URL", "").strip()
        if not server:
            raise SystemExit("--postgres needs TEST_DATABASE_URL, e.g. "
                             "postgresql://reserve:reserve@127.0.0.1:5432/reserve_test")
        base = make_url(server).set(drivername="postgresql+psycopg")
        name = f"reserve_bench_{os.getpid()}_{secrets.token_hex(3)}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            db.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        folder = tempfile.mkdtemp(prefix="reserve-bench-")
        try:
            yield f"sqlite:///{folder}/bench.db"
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def add_users(names: list[str], role: Role) -> list[Actor]:
    """Account rows inserted directly, sharing one argon2 hash (hashing is slow on purpose)."""
    password_hash = auth.hash_password("bench password 1")
    with uow.write_session() as session:
        users = [User(name=n, email=f"{n.lower().replace(' ', '.')}@bench.example",
                      password_hash=password_hash, role=role.value, language="en")
                 for n in names]
        session.add_all(users)
        session.commit()
        return [Actor(u.id or 0, role, u.name, u.email, u.language) for u in users]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100), inclusive method; 0.0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(p) - 1]


def backend(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"
