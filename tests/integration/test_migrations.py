"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import reserve_app.models
from reserve_app.services.platform import db


def test_migrations_match_the_models() -> None:
    with db.engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_every_model_table_exists_after_migrating() -> None:
    tables = set(inspect(db.engine()).get_table_names())
    assert {m.__tablename__ for m in reserve_app.models.ALL_MODELS} <= tables
    assert "alembic_version" in tables
