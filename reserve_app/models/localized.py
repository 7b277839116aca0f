"""Texts of catalogue records in other languages than the record's own (see
domain.localized): one row per record, field and language."""

from __future__ import annotations

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class LocalizedText(SQLModel, table=True):
    __tablename__ = "localized_texts"
    __table_args__ = (UniqueConstraint("entity", "entity_id", "field", "lang",
                                       name="uq_localized_text"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=32)
    entity_id: int
    field: str = Field(max_length=32)
    lang: str = Field(max_length=8)
    text: str = Field(sa_column=Column(Text, nullable=False))
