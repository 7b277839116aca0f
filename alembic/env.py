"""Alembic environment: the database URL comes from reserve_app settings (or -x url=...)."""

from alembic import context
from sqlmodel import SQLModel

import reserve_app.models  # noqa: F401 - registers every table
from reserve_app.services.platform.db import make_engine
from reserve_app.settings import get_settings

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = context.get_x_argument(as_dictionary=True).get("url") or get_settings().database_url
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # noqa: ANN001
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
