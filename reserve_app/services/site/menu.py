"""Storefront menu entries, in their configured order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from reserve_app.domain.localized import Entity
from reserve_app.models import MenuEntry
from reserve_app.services.site import localized


@dataclass(frozen=True)
class MenuItem:
    title: str
    path: str


def storefront_menu(session: Session, *, lang: str = "") -> list[MenuItem]:
    """Active entries in order, titled in `lang` where an admin gave one; rental entries
    only while customer booking is enabled, the shop entry only while the shop is on."""
    from reserve_app.services.rentals.catalog import RENTAL, load_settings
    from reserve_app.services.shop import load_settings as shop_settings

    rows = session.exec(select(MenuEntry).where(col(MenuEntry.active))
                        .order_by(col(MenuEntry.position), col(MenuEntry.id))).all()
    hidden = set() if load_settings(session).booking_enabled else {RENTAL}
    if not shop_settings(session).enabled:
        hidden.add("shop")
    shown = [r for r in rows if r.kind not in hidden]
    titles = localized.names(session, Entity.MENU_ENTRY, [r.id or 0 for r in shown], lang)
    return [MenuItem(titles.get(r.id or 0, r.title), r.path) for r in shown]
