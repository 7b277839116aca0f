"""The storefront rental page and its search: the unit types of a menu entry with a unit
free for the whole period, and the summary of one before booking it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, text
from sqlmodel import Session, col, func, select

from reserve_app.domain import rentals
from reserve_app.domain.errors import DomainError, NotFound
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.domain.periods import Period, check_period
from reserve_app.domain.rentals import ACTIVE
from reserve_app.models import BookingOrder, MenuEntry, MenuEntryUnitType, Unit, UnitType
from reserve_app.services.rentals.menu_entries import RENTAL
from reserve_app.services.rentals.settings import FieldView, list_fields, load_settings
from reserve_app.services.site import localized
from reserve_app.settings import get_settings

ACTIVE_VALUES = tuple(s.value for s in ACTIVE)

# Written out (not bound parameters) so SQLite and PostgreSQL can use the partial index
# ix_booking_orders_unit_active, whose WHERE clause is this same text.
ACTIVE_SQL = text("booking_orders.status IN ('pending', 'confirmed')")


def business_today() -> date:
    return datetime.now(ZoneInfo(get_settings().default_timezone)).date()


@dataclass(frozen=True)
class OfferView:
    unit_type_id: int
    name: str
    description: str
    photo_url: str
    quote: rentals.Quote
    free_units: int


@dataclass(frozen=True)
class RentalPage:
    entry_id: int
    title: str
    booking_enabled: bool
    max_days: int


def rental_page(session: Session, *, entry_id: object, lang: str = "") -> RentalPage:
    """The rental menu entry's page, titled in `lang` where an admin gave one."""
    entry = session.get(MenuEntry, record_id(entry_id))
    if entry is None or entry.kind != RENTAL or not entry.active:
        raise NotFound()
    s = load_settings(session)
    title = localized.name(session, Entity.MENU_ENTRY, entry.id or 0, lang, entry.title)
    return RentalPage(entry.id or 0, title, s.booking_enabled, s.max_days)


def _offered_types(session: Session, entry_id: int) -> list[UnitType]:
    return list(session.exec(
        select(UnitType).join(MenuEntryUnitType,
                              col(MenuEntryUnitType.unit_type_id) == UnitType.id)
        .where(MenuEntryUnitType.menu_entry_id == entry_id, col(UnitType.active))
        .order_by(col(UnitType.price_per_day), col(UnitType.name))
    ).all())


def free(period: Period) -> ColumnElement[bool]:
    """`Unit` has no active booking overlapping the period.

    Active bookings of one unit never overlap (see the package docstring), so sorted by start
    they are sorted by end too: the unit is free iff the latest active booking that starts
    before the period's end has ended by the period's start. That is one index seek per unit,
    instead of scanning every earlier booking of the unit.
    """
    latest_end = (
        select(col(BookingOrder.end_date))
        .where(col(BookingOrder.unit_id) == col(Unit.id), ACTIVE_SQL,
               col(BookingOrder.start_date) < period.end)
        .order_by(col(BookingOrder.unit_id).desc(), col(BookingOrder.start_date).desc())
        .limit(1).correlate(Unit).scalar_subquery()
    )
    return func.coalesce(latest_end, period.start) <= period.start


def _page_period(session: Session, entry_id: object, start: object, end: object,
                 today: date | None) -> tuple[RentalPage, Period]:
    page = rental_page(session, entry_id=entry_id)
    if not page.booking_enabled:
        raise DomainError("rental.booking_disabled")
    period = check_period(start, end, today=today or business_today(), max_days=page.max_days)
    return page, period


def search(session: Session, *, entry_id: object, start: object, end: object,
           today: date | None = None, lang: str = "") -> list[OfferView]:
    """Unit types of the menu entry with at least one unit free for the whole period, named
    and described in `lang` where an admin gave it."""
    page, period = _page_period(session, entry_id, start, end, today)
    rows = session.exec(
        select(UnitType, func.count(col(Unit.id)))
        .join(MenuEntryUnitType, col(MenuEntryUnitType.unit_type_id) == UnitType.id)
        .join(Unit, and_(col(Unit.unit_type_id) == UnitType.id, col(Unit.active),
                         free(period)))
        .where(MenuEntryUnitType.menu_entry_id == page.entry_id, col(UnitType.active))
        .group_by(col(UnitType.id))
        .order_by(col(UnitType.price_per_day), col(UnitType.name))
    ).all()
    own = localized.texts(session, Entity.UNIT_TYPE, [t.id or 0 for t, _ in rows], lang)
    return [OfferView(t.id or 0, own.get(t.id or 0, {}).get("name", t.name),
                      own.get(t.id or 0, {}).get("description", t.description), t.photo_url,
                      rentals.quote(t.price_per_day, t.tax_rate, period), int(free_units))
            for t, free_units in rows]


@dataclass(frozen=True)
class Summary:
    entry_id: int
    unit_type_id: int
    name: str
    period: Period
    quote: rentals.Quote
    fields: list[FieldView]


def summary(session: Session, *, entry_id: object, unit_type_id: object, start: object,
            end: object, today: date | None = None, lang: str = "") -> Summary:
    page, period = _page_period(session, entry_id, start, end, today)
    type_id = record_id(unit_type_id)
    unit_type = next((t for t in _offered_types(session, page.entry_id) if t.id == type_id), None)
    if unit_type is None:
        raise NotFound()
    return Summary(page.entry_id, type_id,
                   localized.name(session, Entity.UNIT_TYPE, type_id, lang, unit_type.name),
                   period,
                   rentals.quote(unit_type.price_per_day, unit_type.tax_rate, period),
                   list_fields(session, shown_only=True))
