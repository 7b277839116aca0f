"""Storefront menu entries, in their configured order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from reserve_app.models import MenuEntry


@dataclass(frozen=True)
class MenuItem:
    title: str
    path: str


def storefront_menu(session: Session) -> list[MenuItem]:
    """Active entries in order; rental entries only while customer booking is enabled."""
    from .rental_catalog import RENTAL, load_settings

    rows = session.exec(select(MenuEntry).where(col(MenuEntry.active))
                        .order_by(MenuEntry.position, MenuEntry.id)).all()
    booking = load_settings(session).booking_enabled
    return [MenuItem(r.title, r.path) for r in rows if booking or r.kind != RENTAL]
