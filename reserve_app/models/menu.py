"""Storefront menu entries (later modules add entries of their own kinds)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class MenuEntry(SQLModel, table=True):
    __tablename__ = "menu_entries"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=100)
    path: str = Field(max_length=200)
    position: int = Field(default=0, index=True)
    active: bool = Field(default=True)
