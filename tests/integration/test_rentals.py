"""Rentals on a real database: catalogue, search, booking, payment, invoices, staff work."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlmodel import select

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import (
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    SlotTaken,
    StaleForm,
    Unauthenticated,
    ValidationFailed,
)
from reserve_app.domain.rentals import Quote
from reserve_app.models import (
    AuditEntry,
    BookingOrder,
    ExtraField,
    Invoice,
    InvoiceCounter,
    MenuEntry,
    MenuEntryUnitType,
    OutboxMessage,
    Payment,
    RentalSettings,
    Unit,
    UnitType,
)
from reserve_app.services import rentals, uow
from reserve_app.services.rentals import catalog as rental_catalog
from reserve_app.services.site import menu

from .helpers import (
    TODAY,
    add_admin,
    add_rental_entry,
    add_unit_type,
    add_user,
    book,
    change_booking_status,
    count,
    day,
    rental_settings,
    rows,
)

# --- fixtures and small helpers -------------------------------------------------------------------


@pytest.fixture
def people() -> dict[str, Actor]:
    return {
        "admin": add_admin(),
        "staff": add_user("Stan Staff", "stan@example.com", Role.STAFF),
        "cleo": add_user("Cleo Customer", "cleo@example.com", Role.CUSTOMER),
        "dan": add_user("Dan Driver", "dan@example.com", Role.CUSTOMER),
    }


@dataclass(frozen=True)
class Shop:
    people: dict[str, Actor]
    entry: int
    suv: int         # 80.00 a day, 10 % tax, one unit
    van: int         # 50.50 a day, 7.5 % tax, two units
    suv_units: list[int]
    van_units: list[int]


@pytest.fixture
def shop(people: dict[str, Actor]) -> Shop:
    admin = people["admin"]
    suv, suv_units = add_unit_type(admin, "4x4 SUV", "80.00", "10", units=1)
    van, van_units = add_unit_type(admin, "Van", "50.50", "7.5", units=2)
    entry = add_rental_entry(admin, [suv, van], title="Book a car")
    return Shop(people, entry, suv, van, suv_units, van_units)


WRITTEN = (BookingOrder, OutboxMessage, AuditEntry, Invoice, Payment, InvoiceCounter)


def _written() -> dict[str, int]:
    """How many rows every table a booking use case may write holds."""
    return {model.__name__: count(model) for model in WRITTEN}


def _search(shop: Shop, start: object, end: object) -> list[tuple[str, int, Quote]]:
    with uow.read_session() as session:
        offers = rentals.search(session, entry_id=shop.entry, start=start, end=end, today=TODAY)
    return [(o.name, o.free_units, o.quote) for o in offers]


def _detail(actor: Actor, order_id: int) -> rentals.OrderDetail:
    with uow.read_session() as session:
        return rentals.order_detail(session, actor=actor, order_id=order_id)


def _pay(actor: Actor | None, order_id: object) -> rentals.BookingView:
    with uow.write_session() as session:
        return rentals.pay_booking(session, actor=actor, order_id=order_id)


def _approve(actor: Actor | None, order_id: object, payment_id: object) -> rentals.OrderDetail:
    with uow.write_session() as session:
        return rentals.approve_booking_payment(session, actor=actor, order_id=order_id,
                                               payment_id=payment_id)


def _emails(kind: str) -> list[tuple[str, str]]:
    return [(m.to_email, m.subject) for m in rows(OutboxMessage, OutboxMessage.kind == kind)]


def _audit(entity: str, entity_id: int) -> list[tuple[int | None, str, str, str, str]]:
    return [(a.actor_id, a.action, a.old_value, a.new_value, a.note)
            for a in rows(AuditEntry, AuditEntry.entity == entity,
                          AuditEntry.entity_id == entity_id)]


# --- catalogue (admin) ----------------------------------------------------------------------------


def test_admin_builds_the_rental_catalogue(people: dict[str, Actor]) -> None:
    admin = people["admin"]
    with uow.write_session() as session:
        suv = rental_catalog.save_unit_type(
            session, actor=admin, name=" 4x4 SUV ", description=" Big ", photo_url="/suv.png",
            price_per_day="80", tax_rate="10")
    with uow.write_session() as session:
        same = rental_catalog.save_unit_type(
            session, actor=admin, unit_type_id=suv, name="4x4 SUV", description="Bigger",
            photo_url="", price_per_day="85,50", tax_rate="7.5", active=True)
    with uow.write_session() as session:
        room = rental_catalog.save_unit_type(
            session, actor=admin, name="Single room", description="", photo_url="",
            price_per_day="40", tax_rate="0")
    assert same == suv
    with uow.write_session() as session:
        unit_a = rental_catalog.add_unit(session, actor=admin, unit_type_id=suv, name=" SUV A ")
    with uow.write_session() as session:
        unit_b = rental_catalog.add_unit(session, actor=admin, unit_type_id=suv, name="SUV B")
    with uow.write_session() as session:
        rental_catalog.set_unit_active(session, actor=admin, unit_id=unit_b, active=False)
    with uow.write_session() as session:
        rental_catalog.set_unit_type_active(session, actor=admin, unit_type_id=room,
                                            active=False)

    with uow.read_session() as session:
        types = rental_catalog.list_unit_types(session, actor=admin)
        units = rental_catalog.list_units(session, actor=admin, unit_type_id=suv)
    assert types == [
        rental_catalog.UnitTypeView(suv, "4x4 SUV", "Bigger", "", Decimal("85.50"),
                                    Decimal("7.5"), True, 1),
        rental_catalog.UnitTypeView(room, "Single room", "", "", Decimal("40"), Decimal("0"),
                                    False, 0),
    ]
    assert units == [rental_catalog.UnitView(unit_a, suv, "SUV A", True),
                     rental_catalog.UnitView(unit_b, suv, "SUV B", False)]

    with uow.write_session() as session:
        cars = rental_catalog.save_rental_entry(session, actor=admin, title=" Book a 4x4 ",
                                                unit_type_ids=[suv])
    with uow.write_session() as session:
        rooms = rental_catalog.save_rental_entry(session, actor=admin, title="Rooms",
                                                 unit_type_ids=[room])
    with uow.write_session() as session:
        rental_catalog.save_rental_entry(session, actor=admin, entry_id=cars, title="Book a car",
                                         unit_type_ids=[room, suv, suv])

    def entries() -> list[tuple[int, str, int, bool, tuple[int, ...]]]:
        with uow.read_session() as session:
            return [(e.id, e.title, e.position, e.active, e.unit_type_ids)
                    for e in rental_catalog.list_menu_entries(session, actor=admin)]

    both = tuple(sorted([suv, room]))
    assert entries() == [(cars, "Book a car", 1, True, both), (rooms, "Rooms", 2, True, (room,))]
    with uow.read_session() as session:
        assert rentals.rental_page(session, entry_id=cars) == rentals.RentalPage(
            cars, "Book a car", True, 60)

    for entry_id, step in [(rooms, -1), (rooms, -1)]:  # up, then already on top: stays
        with uow.write_session() as session:
            rental_catalog.move_entry(session, actor=admin, entry_id=entry_id, step=step)
    assert entries() == [(rooms, "Rooms", 1, True, (room,)), (cars, "Book a car", 2, True, both)]
    for entry_id, step in [(rooms, 1), (rooms, 1)]:  # down, then already at the bottom
        with uow.write_session() as session:
            rental_catalog.move_entry(session, actor=admin, entry_id=entry_id, step=step)
    assert [(e[0], e[2]) for e in entries()] == [(cars, 1), (rooms, 2)]
    with uow.write_session() as session:
        rental_catalog.save_rental_entry(session, actor=admin, entry_id=rooms, title="Rooms",
                                         unit_type_ids=[room], active=False)
    with uow.read_session() as session:
        assert [m.title for m in menu.storefront_menu(session)] == ["Book a car"]
    for bad_step in [0, 2, True, "1"]:
        with pytest.raises(ValidationFailed), uow.write_session() as session:
            rental_catalog.move_entry(session, actor=admin, entry_id=rooms, step=bad_step)

    with uow.write_session() as session:
        licence = rental_catalog.add_field(session, actor=admin, label=" Licence number ",
                                           kind="text", required=True, shown=True)
    with uow.write_session() as session:
        seat = rental_catalog.add_field(session, actor=admin, label="Child seat", kind="choice",
                                        required=False, shown=False, choices="none, baby,none")
    with uow.write_session() as session:
        rental_catalog.update_field(session, actor=admin, field_id=seat, required=True,
                                    shown=True)
    with uow.write_session() as session:
        rental_catalog.update_field(session, actor=admin, field_id=licence, required=False,
                                    shown=True)
    with uow.read_session() as session:
        assert rental_catalog.list_fields(session) == [
            rental_catalog.FieldView(licence, "Licence number", "text", False, True, ""),
            rental_catalog.FieldView(seat, "Child seat", "choice", True, True, "none,baby"),
        ]

    with uow.write_session() as session:
        saved = rental_catalog.save_settings(session, actor=admin, booking_enabled=False,
                                             initial_status="confirmed", payments_enabled=False,
                                             max_days=14)
    assert saved == rental_catalog.SettingsView(False, "confirmed", False, 14)
    with uow.read_session() as session:
        assert rental_catalog.settings_view(session) == saved
        assert rentals.rental_page(session, entry_id=cars).booking_enabled is False
        assert menu.storefront_menu(session) == []  # rental entries hide while booking is off

    actions = [(a.actor_id, a.entity, a.action) for a in rows(AuditEntry)]
    assert {actor for actor, _, _ in actions} == {admin.user_id}
    assert [(entity, action) for _, entity, action in actions] == [
        ("unit_type", "unit_type_created"), ("unit_type", "unit_type_changed"),
        ("unit_type", "unit_type_created"), ("unit", "unit_created"), ("unit", "unit_created"),
        ("unit", "active_changed"), ("unit_type", "active_changed"),
        ("menu_entry", "menu_entry_saved"), ("menu_entry", "menu_entry_saved"),
        ("menu_entry", "menu_entry_changed"), ("menu_entry", "menu_entry_changed"),
        ("extra_field", "field_created"), ("extra_field", "field_created"),
        ("extra_field", "field_changed"), ("extra_field", "field_changed"),
        ("rental_settings", "settings_changed"),
    ]


def test_invalid_unit_type_is_refused_and_nothing_is_saved(people: dict[str, Actor]) -> None:
    with uow.write_session() as session, pytest.raises(ValidationFailed) as err:
        rental_catalog.save_unit_type(session, actor=people["admin"], name="", description="",
                                      photo_url="", price_per_day="0", tax_rate="101")
    assert err.value.fields == {"name": "field.required", "price_per_day": "field.amount_invalid",
                                "tax_rate": "field.rate_invalid"}
    assert count(UnitType) == 0 and count(AuditEntry) == 0


def test_invalid_settings_are_refused_and_nothing_is_saved(people: dict[str, Actor]) -> None:
    admin = people["admin"]
    for values, fields in [
        (dict(initial_status="done"), {"initial_status": "field.choice_invalid"}),
        (dict(max_days=0), {"max_days": "rental.max_days_invalid"}),
        (dict(max_days=367), {"max_days": "rental.max_days_invalid"}),
        (dict(max_days="30"), {"max_days": "rental.max_days_invalid"}),
        (dict(booking_enabled="yes"), {"booking_enabled": "field.choice_invalid"}),
    ]:
        with pytest.raises(ValidationFailed) as err:
            rental_settings(admin, **values)
        assert err.value.fields == fields
    assert count(AuditEntry) == 0
    assert rental_settings(admin, max_days=366).max_days == 366


def test_a_save_from_a_stale_settings_form_is_refused(people: dict[str, Actor]) -> None:
    """A form sends the version of the values it showed; another save in between makes it
    stale, and its save is refused instead of silently putting the old values back."""
    admin = people["admin"]
    with uow.read_session() as session:
        shown = rental_catalog.settings_view(session)
    assert shown.version and shown.version == rental_catalog.SettingsView(
        shown.booking_enabled, shown.initial_status, shown.payments_enabled,
        shown.max_days).version
    newer = rental_settings(admin, booking_enabled=False)  # another tab saves meanwhile
    assert newer.version != shown.version
    before = count(AuditEntry)
    with pytest.raises(StaleForm), uow.write_session() as session:
        rental_catalog.save_settings(session, actor=admin, booking_enabled=True,
                                     initial_status="confirmed", payments_enabled=False,
                                     max_days=5, version=shown.version)
    with uow.read_session() as session:
        assert rental_catalog.settings_view(session) == newer
    assert count(AuditEntry) == before
    # With the version in force the same save goes through.
    with uow.write_session() as session:
        saved = rental_catalog.save_settings(session, actor=admin, booking_enabled=True,
                                             initial_status="confirmed", payments_enabled=False,
                                             max_days=5, version=newer.version)
    assert saved == rental_catalog.SettingsView(True, "confirmed", False, 5)


def _catalogue() -> list[object]:
    """Everything the catalogue services may change."""
    with uow.read_session() as session:
        return [
            [tuple(r.model_dump().values()) for r in session.exec(select(model).order_by(model.id))]
            for model in (UnitType, Unit, MenuEntry, ExtraField, RentalSettings, AuditEntry)
        ] + [sorted((r.menu_entry_id, r.unit_type_id)
                    for r in session.exec(select(MenuEntryUnitType)))]


CATALOGUE_CALLS: dict[str, Callable[..., object]] = {
    "new_unit_type": lambda s, actor, shop: rental_catalog.save_unit_type(
        s, actor=actor, name="Bus", description="", photo_url="", price_per_day="99",
        tax_rate="10"),
    "change_unit_type": lambda s, actor, shop: rental_catalog.save_unit_type(
        s, actor=actor, unit_type_id=shop.suv, name="Cheap SUV", description="", photo_url="",
        price_per_day="1", tax_rate="0"),
    "set_unit_type_active": lambda s, actor, shop: rental_catalog.set_unit_type_active(
        s, actor=actor, unit_type_id=shop.suv, active=False),
    "add_unit": lambda s, actor, shop: rental_catalog.add_unit(
        s, actor=actor, unit_type_id=shop.suv, name="SUV 2"),
    "set_unit_active": lambda s, actor, shop: rental_catalog.set_unit_active(
        s, actor=actor, unit_id=shop.suv_units[0], active=False),
    "rename_unit": lambda s, actor, shop: rental_catalog.rename_unit(
        s, actor=actor, unit_id=shop.suv_units[0], name="Stolen"),
    "new_entry": lambda s, actor, shop: rental_catalog.save_rental_entry(
        s, actor=actor, title="Vans", unit_type_ids=[shop.van]),
    "change_entry": lambda s, actor, shop: rental_catalog.save_rental_entry(
        s, actor=actor, entry_id=shop.entry, title="Hijacked", unit_type_ids=[shop.van],
        active=False),
    "move_entry": lambda s, actor, shop: rental_catalog.move_entry(
        s, actor=actor, entry_id=shop.entry, step=1),
    "add_field": lambda s, actor, shop: rental_catalog.add_field(
        s, actor=actor, label="Shoe size", kind="number", required=True, shown=True),
    "update_field": lambda s, actor, shop: rental_catalog.update_field(
        s, actor=actor, field_id=shop.field, required=False, shown=False),
    "save_settings": lambda s, actor, shop: rental_catalog.save_settings(
        s, actor=actor, booking_enabled=False, initial_status="confirmed",
        payments_enabled=False, max_days=1),
    "list_unit_types": lambda s, actor, shop: rental_catalog.list_unit_types(s, actor=actor),
    "list_menu_entries": lambda s, actor, shop: rental_catalog.list_menu_entries(
        s, actor=actor),
}


def test_only_admins_may_change_the_catalogue(shop: Shop, subtests: pytest.Subtests) -> None:
    admin = shop.people["admin"]
    add_rental_entry(admin, [shop.van], title="Vans")
    with uow.write_session() as session:
        field = rental_catalog.add_field(session, actor=admin, label="Licence", kind="text",
                                         required=True, shown=True)
    rental_settings(admin, max_days=30)
    target = SimpleNamespace(**shop.__dict__, field=field)
    before = _catalogue()
    for call in CATALOGUE_CALLS:
        for who, error in [(None, Unauthenticated), ("cleo", Forbidden), ("staff", Forbidden)]:
            with subtests.test(call=call, who=who):
                actor = shop.people[who] if who else None
                with uow.write_session() as session, pytest.raises(error):
                    CATALOGUE_CALLS[call](session, actor, target)
                assert _catalogue() == before


# --- editing the catalogue (admin) -------------------------------------------------------------


def _edit_type(actor: Actor | None, unit_type_id: object, **changes: object) -> int:
    values: dict[str, object] = {"name": "4x4 SUV", "description": "", "photo_url": "",
                                 "price_per_day": "80.00", "tax_rate": "10", **changes}
    with uow.write_session() as session:
        return rental_catalog.save_unit_type(session, actor=actor, unit_type_id=unit_type_id,
                                             **values)


def test_admin_edits_a_unit_type_and_past_orders_keep_their_price(shop: Shop) -> None:
    admin, cleo = shop.people["admin"], shop.people["cleo"]
    booked = book(cleo, shop.entry, shop.suv, day(1), day(4))  # 3 days at 80.00 + 10 %
    before_audit = count(AuditEntry)

    same = _edit_type(admin, shop.suv, name=" Big SUV ", description="Seven seats",
                      photo_url="https://example.com/suv.jpg", price_per_day="95,50",
                      tax_rate="8")

    assert same == shop.suv
    with uow.read_session() as session:
        found = [t for t in rental_catalog.list_unit_types(session, actor=admin)
                 if t.id == shop.suv]
    assert found == [rental_catalog.UnitTypeView(
        shop.suv, "Big SUV", "Seven seats", "https://example.com/suv.jpg", Decimal("95.50"),
        Decimal("8"), True, 1)]
    assert _audit("unit_type", shop.suv)[-1] == (
        admin.user_id, "unit_type_changed",
        "name: 4x4 SUV; description: ; photo: ; price per day: 80.00; tax rate: 10.00",
        "name: Big SUV; description: Seven seats; photo: https://example.com/suv.jpg; "
        "price per day: 95.50; tax rate: 8.00",
        "name, description, photo, price per day, tax rate")
    assert count(AuditEntry) == before_audit + 1
    # The order placed before the edit keeps its price, tax and total; its invoice too.
    order = rows(BookingOrder, BookingOrder.id == booked.id)[0]
    assert (order.price_per_day, order.tax_rate, order.subtotal, order.tax, order.total) == (
        Decimal("80.00"), Decimal("10"), Decimal("240.00"), Decimal("24.00"), Decimal("264.00"))
    assert _pay(cleo, booked.id).total == Decimal("264.00")
    assert rows(Invoice)[-1].total == Decimal("264.00")
    # New searches quote the new price: 2 days at 95.50, 8 % tax.
    offered = {name: quote for name, _, quote in _search(shop, day(10), day(12))}
    assert (offered["Big SUV"].subtotal, offered["Big SUV"].tax) == (
        Decimal("191.00"), Decimal("15.28"))


def test_editing_a_unit_type_keeps_it_out_of_the_storefront_when_it_was(shop: Shop) -> None:
    admin = shop.people["admin"]
    with uow.write_session() as session:
        rental_catalog.set_unit_type_active(session, actor=admin, unit_type_id=shop.van,
                                            active=False)
    _edit_type(admin, shop.van, name="Van", price_per_day="55")  # the form sends no switch
    assert rows(UnitType, UnitType.id == shop.van)[0].active is False
    assert [name for name, _, _ in _search(shop, day(1), day(2))] == ["4x4 SUV"]


def test_saving_an_unchanged_unit_type_writes_no_audit_row(shop: Shop) -> None:
    before = _catalogue()
    _edit_type(shop.people["admin"], shop.suv)
    assert _catalogue() == before


def test_bad_unit_type_edits_are_refused_and_nothing_changes(shop: Shop,
                                                             subtests: pytest.Subtests) -> None:
    admin = shop.people["admin"]
    before = _catalogue()
    for case, (type_id, changes, expected) in {
        "blank_name": (shop.suv, {"name": " "}, {"name": "field.required"}),
        "zero_price": (shop.suv, {"price_per_day": "0"}, {"price_per_day": "field.amount_invalid"}),
        "bad_rate": (shop.suv, {"tax_rate": "101"}, {"tax_rate": "field.rate_invalid"}),
        "bad_photo": (shop.suv, {"photo_url": "javascript:alert(1)"},
                      {"photo_url": "field.url_invalid"}),
        "bad_switch": (shop.suv, {"active": "yes"}, {"active": "field.choice_invalid"}),
        "unknown": (10**9, {}, NotFound),
        "id_as_text": (str(shop.suv), {}, NotFound),
        "bool_id": (True, {}, NotFound),
    }.items():
        with subtests.test(case=case):
            error = expected if isinstance(expected, type) else ValidationFailed
            with pytest.raises(error) as err:
                _edit_type(admin, type_id, **changes)
            if isinstance(expected, dict):
                assert err.value.fields == expected
            assert _catalogue() == before


def test_admin_renames_a_unit_and_its_orders_follow(shop: Shop) -> None:
    admin, cleo = shop.people["admin"], shop.people["cleo"]
    booked = book(cleo, shop.entry, shop.suv, day(1), day(2))
    with uow.write_session() as session:
        rental_catalog.rename_unit(session, actor=admin, unit_id=shop.suv_units[0],
                                   name=" SUV KR-1234 ")
    assert rows(Unit, Unit.id == shop.suv_units[0])[0].name == "SUV KR-1234"
    assert _detail(admin, booked.id).booking.unit == "SUV KR-1234"
    assert _audit("unit", shop.suv_units[0])[-1] == (
        admin.user_id, "unit_renamed", "name: 4x4 SUV #1", "name: SUV KR-1234", "name")
    before = _catalogue()
    for unit_id, name, expected in [(shop.suv_units[0], " ", ValidationFailed),
                                    (shop.suv_units[0], "x" * 101, ValidationFailed),
                                    (shop.suv_units[0], None, ValidationFailed),
                                    (10**9, "Ghost", NotFound), ("1", "Ghost", NotFound)]:
        with uow.write_session() as session, pytest.raises(expected):
            rental_catalog.rename_unit(session, actor=admin, unit_id=unit_id, name=name)
        assert _catalogue() == before


def test_admin_edits_a_rental_menu_entry(shop: Shop) -> None:
    admin = shop.people["admin"]
    with uow.write_session() as session:
        rental_catalog.save_rental_entry(session, actor=admin, entry_id=shop.entry,
                                         title=" Rent a van ", unit_type_ids=[shop.van])
    with uow.read_session() as session:
        assert rentals.rental_page(session, entry_id=shop.entry).title == "Rent a van"
        assert [m.title for m in menu.storefront_menu(session)] == ["Rent a van"]
    assert [name for name, _, _ in _search(shop, day(1), day(2))] == ["Van"]
    assert _audit("menu_entry", shop.entry)[-1] == (
        admin.user_id, "menu_entry_changed", "title: Book a car; unit types: 4x4 SUV, Van",
        "title: Rent a van; unit types: Van", "title, unit types")
    with uow.write_session() as session:
        session.add(MenuEntry(kind="appointments", title="Book an appointment",
                              path="/services", position=9))
        session.commit()
    before = _catalogue()
    appointments_entry = rows(MenuEntry, MenuEntry.kind != "rental")
    assert len(appointments_entry) == 1
    for entry_id, changes, expected in [
        (shop.entry, {"title": ""}, ValidationFailed),
        (shop.entry, {"unit_type_ids": []}, ValidationFailed),
        (shop.entry, {"unit_type_ids": [10**9]}, ValidationFailed),
        (10**9, {}, NotFound),
        *[(e.id, {}, NotFound) for e in appointments_entry],  # not a rental entry
    ]:
        values = {"title": "Vans", "unit_type_ids": [shop.van], **changes}
        with uow.write_session() as session, pytest.raises(expected):
            rental_catalog.save_rental_entry(session, actor=admin, entry_id=entry_id, **values)
        assert _catalogue() == before


# --- storefront: search ---------------------------------------------------------------------------


def test_search_offers_types_with_a_unit_free_for_the_whole_period(shop: Shop) -> None:
    admin, staff = shop.people["admin"], shop.people["staff"]
    cleo, dan = shop.people["cleo"], shop.people["dan"]
    # Not offered: a type of another entry, an inactive type, an inactive unit.
    limo, _ = add_unit_type(admin, "Limousine", "10.00", "0")
    add_rental_entry(admin, [limo], title="Limos")
    bus, _ = add_unit_type(admin, "Old bus", "5.00", "0")
    with uow.write_session() as session:
        rental_catalog.save_unit_type(session, actor=admin, unit_type_id=bus, name="Old bus",
                                      description="", photo_url="", price_per_day="5",
                                      tax_rate="0", active=False)
        rental_catalog.save_rental_entry(session, actor=admin, entry_id=shop.entry,
                                         title="Book a car",
                                         unit_type_ids=[shop.suv, shop.van, bus])
    with uow.write_session() as session:
        extra = rental_catalog.add_unit(session, actor=admin, unit_type_id=shop.van, name="Van 3")
    with uow.write_session() as session:
        rental_catalog.set_unit_active(session, actor=admin, unit_id=extra, active=False)

    book(cleo, shop.entry, shop.suv, day(10), day(15))
    book(dan, shop.entry, shop.van, day(12), day(14))          # takes the first van
    cancelled = book(dan, shop.entry, shop.van, day(20), day(22))
    change_booking_status(staff, cancelled.id, "cancelled")

    van_2 = Quote(2, Decimal("50.50"), Decimal("7.5"), Decimal("101.00"), Decimal("7.58"),
                  Decimal("108.58"))
    suv_3 = Quote(3, Decimal("80.00"), Decimal("10"), Decimal("240.00"), Decimal("24.00"),
                  Decimal("264.00"))
    assert _search(shop, day(10), day(12)) == [("Van", 2, van_2)]   # van booking starts at 12
    assert [o[:2] for o in _search(shop, day(13), day(14))] == [("Van", 1)]
    assert [o[:2] for o in _search(shop, day(11), day(13))] == [("Van", 1)]
    van_3 = Quote(3, Decimal("50.50"), Decimal("7.5"), Decimal("151.50"), Decimal("11.36"),
                  Decimal("162.86"))                            # 11.3625
    assert _search(shop, day(15), day(18)) == [("Van", 2, van_3), ("4x4 SUV", 1, suv_3)]
    assert [o[:2] for o in _search(shop, day(7), day(10))] == [("Van", 2), ("4x4 SUV", 1)]
    assert [o[:2] for o in _search(shop, day(5), day(25))] == [("Van", 1)]
    assert [o[:2] for o in _search(shop, day(20), day(22))] == [("Van", 2), ("4x4 SUV", 1)]

    book(cleo, shop.entry, shop.van, day(13), day(20))           # the second van
    assert _search(shop, day(13), day(14)) == []
    assert [o[:2] for o in _search(shop, day(14), day(15))] == [("Van", 1)]


def test_search_refuses_bad_periods_unknown_entries_and_disabled_booking(shop: Shop) -> None:
    with pytest.raises(ValidationFailed) as err:
        _search(shop, day(3), day(3))
    assert err.value.fields == {"end": "rental.end_before_start"}
    with pytest.raises(ValidationFailed):
        _search(shop, day(-1), day(3))
    with pytest.raises(NotFound), uow.read_session() as session:
        rentals.search(session, entry_id=shop.entry + 100, start=day(1), end=day(2), today=TODAY)
    rental_settings(shop.people["admin"], booking_enabled=False)
    with pytest.raises(DomainError) as refused:
        _search(shop, day(1), day(2))
    assert refused.value.key == "rental.booking_disabled"


# --- storefront: booking --------------------------------------------------------------------------


@pytest.mark.parametrize("initial", ["pending", "confirmed", "cancelled", "finished"])
def test_place_booking_records_order_audit_and_one_email(shop: Shop, initial: str) -> None:
    cleo = shop.people["cleo"]
    rental_settings(shop.people["admin"], initial_status=initial)
    before = _written()

    view = book(cleo, shop.entry, shop.suv, day(1), day(4))

    assert (view.unit_type, view.unit, view.start, view.end, view.status, view.total,
            view.currency, view.invoice_status, view.payment_status) == (
        "4x4 SUV", "4x4 SUV #1", date.fromisoformat(day(1)), date.fromisoformat(day(4)), initial,
        Decimal("264.00"), "EUR", "", "")
    order = rows(BookingOrder)[-1]
    assert (order.id, order.customer_id, order.unit_type_id, order.unit_id, order.status) == (
        view.id, cleo.user_id, shop.suv, shop.suv_units[0], initial)
    assert (order.price_per_day, order.tax_rate, order.subtotal, order.tax, order.total) == (
        Decimal("80.00"), Decimal("10"), Decimal("240.00"), Decimal("24.00"), Decimal("264.00"))
    assert _audit("booking", view.id) == [(cleo.user_id, "booking_placed", "", initial, "")]
    assert _emails("booking_received") == [("cleo@example.com", f"Booking {view.id} received")]
    body = rows(OutboxMessage)[-1].body
    assert "4x4 SUV" in body and "264.00 EUR" in body and day(1) in body
    after = _written()
    assert after == {**before, "BookingOrder": before["BookingOrder"] + 1,
                     "AuditEntry": before["AuditEntry"] + 1,
                     "OutboxMessage": before["OutboxMessage"] + 1}  # no invoice, no payment


def test_answers_to_shown_fields_are_stored_and_shown_to_staff(shop: Shop) -> None:
    admin = shop.people["admin"]
    with uow.write_session() as session:
        licence = rental_catalog.add_field(session, actor=admin, label="Licence number",
                                           kind="text", required=True, shown=True)
    with uow.write_session() as session:
        seat = rental_catalog.add_field(session, actor=admin, label="Child seat", kind="choice",
                                        required=False, shown=True, choices="none,baby")
    with uow.write_session() as session:  # hidden: never asked, so never required
        rental_catalog.add_field(session, actor=admin, label="Internal", kind="text",
                                 required=True, shown=False)

    with uow.read_session() as session:  # the booking summary asks for the shown fields only
        offer = rentals.summary(session, entry_id=shop.entry, unit_type_id=shop.suv,
                                start=day(1), end=day(2), today=TODAY)
    assert (offer.name, offer.period.days, offer.quote.total) == ("4x4 SUV", 1, Decimal("88.00"))
    assert [(f.id, f.label, f.required) for f in offer.fields] == [
        (licence, "Licence number", True), (seat, "Child seat", False)]

    view = book(shop.people["cleo"], shop.entry, shop.suv, day(1), day(2),
                answers={str(licence): " B-123 ", str(seat): "baby", "999": "ignored"})

    assert json.loads(rows(BookingOrder)[0].answers) == {str(licence): "B-123",
                                                         str(seat): "baby"}
    detail = _detail(shop.people["staff"], view.id)
    assert detail.answers == [("Licence number", "B-123"), ("Child seat", "baby")]
    assert (detail.customer_name, detail.customer_email) == ("Cleo Customer", "cleo@example.com")
    assert detail.next_statuses == ["cancelled", "confirmed", "finished"]


def test_customers_see_only_their_own_bookings(shop: Shop) -> None:
    cleo, dan = shop.people["cleo"], shop.people["dan"]
    first = book(cleo, shop.entry, shop.suv, day(1), day(2))
    book(dan, shop.entry, shop.van, day(1), day(2))
    second = book(cleo, shop.entry, shop.van, day(3), day(5))
    with uow.read_session() as session:
        assert [b.id for b in rentals.my_bookings(session, actor=cleo)] == [second.id, first.id]
        with pytest.raises(Unauthenticated):
            rentals.my_bookings(session, actor=None)


# Each case: the changed arguments (and `setup`, run first), the error, its fields or key.
BAD_BOOKINGS: dict[str, Callable[[dict], tuple[dict, type[Exception], object]]] = {
    "end_before_start": lambda c: (
        dict(start=day(5), end=day(3)), ValidationFailed, {"end": "rental.end_before_start"}),
    "end_equals_start": lambda c: (
        dict(start=day(5), end=day(5)), ValidationFailed, {"end": "rental.end_before_start"}),
    "start_in_the_past": lambda c: (
        dict(start=day(-1), end=day(3)), ValidationFailed, {"start": "rental.start_past"}),
    "both_in_the_past": lambda c: (
        dict(start=day(-5), end=day(-3)), ValidationFailed, {"start": "rental.start_past"}),
    "longer_than_max_days": lambda c: (
        dict(start=day(1), end=day(62)), ValidationFailed, {"end": "rental.too_long"}),
    "not_a_date": lambda c: (
        dict(start="next monday"), ValidationFailed, {"start": "field.date_invalid"}),
    "date_not_text": lambda c: (
        dict(end=20300610), ValidationFailed, {"end": "field.date_invalid"}),
    "unknown_unit_type": lambda c: (dict(unit_type_id=c["suv"] + 1000), NotFound, None),
    "unit_type_id_as_text": lambda c: (dict(unit_type_id=str(c["suv"])), NotFound, None),
    "unit_type_of_another_entry": lambda c: (dict(unit_type_id=c["limo"]), NotFound, None),
    "unknown_entry": lambda c: (dict(entry_id=c["entry"] + 1000), NotFound, None),
    "inactive_entry": lambda c: (dict(entry_id=c["hidden_entry"]), NotFound, None),
    "missing_required_answer": lambda c: (
        dict(answers={c["pax"]: "2"}), ValidationFailed, {f"x{c['licence']}": "field.required"}),
    "blank_required_answer": lambda c: (
        dict(answers={c["licence"]: "  "}), ValidationFailed,
        {f"x{c['licence']}": "field.required"}),
    "answers_not_a_dict": lambda c: (
        dict(answers=["B-123", "2"]), ValidationFailed, {f"x{c['licence']}": "field.required"}),
    "answers_as_text": lambda c: (
        dict(answers="B-123"), ValidationFailed, {f"x{c['licence']}": "field.required"}),
    "answer_not_text": lambda c: (
        dict(answers={c["licence"]: "B-1", c["pax"]: 2}), ValidationFailed,
        {f"x{c['pax']}": "field.choice_invalid"}),
    "answer_not_a_number": lambda c: (
        dict(answers={c["licence"]: "B-1", c["pax"]: "two"}), ValidationFailed,
        {f"x{c['pax']}": "field.number_invalid"}),
    "not_logged_in": lambda c: (dict(actor=None), Unauthenticated, None),
    "sold_out": lambda c: (dict(setup=c["fill"]), SlotTaken, "rental.sold_out"),
    "booking_disabled": lambda c: (
        dict(setup=c["disable"]), DomainError, "rental.booking_disabled"),
}


def test_bad_bookings_are_refused_and_write_nothing(shop: Shop, subtests: pytest.Subtests) -> None:
    admin, cleo = shop.people["admin"], shop.people["cleo"]
    limo, _ = add_unit_type(admin, "Limousine", "10.00", "0")
    with uow.write_session() as session:
        hidden = rental_catalog.save_rental_entry(session, actor=admin, title="Hidden",
                                                  unit_type_ids=[shop.suv], active=False)
    with uow.write_session() as session:
        licence = rental_catalog.add_field(session, actor=admin, label="Licence number",
                                           kind="text", required=True, shown=True)
    with uow.write_session() as session:
        pax = rental_catalog.add_field(session, actor=admin, label="Passengers", kind="number",
                                       required=False, shown=True)
    context = {
        "suv": shop.suv, "limo": limo, "entry": shop.entry, "hidden_entry": hidden,
        "licence": str(licence), "pax": str(pax),
        "disable": lambda: rental_settings(admin, booking_enabled=False),
        "fill": lambda: book(shop.people["dan"], shop.entry, shop.suv, day(0), day(30),
                             answers={str(licence): "D-9"}),
    }
    for case, make in BAD_BOOKINGS.items():  # the cases with a `setup` come last
        with subtests.test(case=case):
            overrides, error, expected = make(context)
            overrides.pop("setup", lambda: None)()
            call = {"actor": cleo, "entry_id": shop.entry, "unit_type_id": shop.suv,
                    "start": day(1), "end": day(3),
                    "answers": {str(licence): "B-123", str(pax): "2"}, **overrides}
            before = _written()

            with pytest.raises(error) as err:
                book(**call)

            if isinstance(expected, dict):
                assert err.value.fields == expected
            elif isinstance(expected, str):
                assert err.value.key == expected
            assert _written() == before


# --- paying ---------------------------------------------------------------------------------------


def test_pay_booking_makes_a_draft_invoice_and_one_pending_payment(shop: Shop) -> None:
    cleo = shop.people["cleo"]
    order = book(cleo, shop.entry, shop.van, day(1), day(3))
    assert count(Invoice) == 0

    paid = _pay(cleo, order.id)

    assert (paid.invoice_status, paid.payment_status) == ("draft", "pending")
    [invoice] = rows(Invoice)
    assert (invoice.order_kind, invoice.order_id, invoice.customer_id, invoice.number,
            invoice.status, invoice.subtotal, invoice.tax, invoice.total, invoice.currency) == (
        "booking", order.id, cleo.user_id, None, "draft", Decimal("101.00"), Decimal("7.58"),
        Decimal("108.58"), "EUR")
    [payment] = rows(Payment)
    assert (payment.invoice_id, payment.provider, payment.amount, payment.status,
            payment.approved_by) == (invoice.id, "manual", Decimal("108.58"), "pending", None)
    assert [a[1] for a in _audit("booking", order.id)] == ["booking_placed", "payment_started"]
    assert count(InvoiceCounter) == 0

    before = _written()
    with pytest.raises(DomainError) as err:
        _pay(cleo, order.id)
    assert err.value.key == "rental.already_paid"
    assert _written() == before


def test_pay_booking_is_refused_when_payments_are_off(shop: Shop) -> None:
    cleo = shop.people["cleo"]
    order = book(cleo, shop.entry, shop.suv, day(1), day(3))
    rental_settings(shop.people["admin"], payments_enabled=False)
    before = _written()
    with pytest.raises(DomainError) as err:
        _pay(cleo, order.id)
    assert err.value.key == "rental.payments_disabled"
    assert _written() == before


def test_a_cancelled_booking_cannot_be_paid(shop: Shop) -> None:
    cleo = shop.people["cleo"]
    order = book(cleo, shop.entry, shop.suv, day(1), day(3))
    change_booking_status(shop.people["staff"], order.id, "cancelled")
    before = _written()
    with pytest.raises(DomainError) as err:
        _pay(cleo, order.id)
    assert err.value.key == "rental.not_payable"
    assert _written() == before


def test_nobody_pays_another_customers_booking(shop: Shop) -> None:
    order = book(shop.people["cleo"], shop.entry, shop.suv, day(1), day(3))
    before = _written()
    for actor, error in [(shop.people["dan"], NotFound), (shop.people["staff"], NotFound),
                         (None, Unauthenticated)]:
        with pytest.raises(error):
            _pay(actor, order.id)
    for bad_id in [order.id + 1000, str(order.id), True, None, -1]:
        with pytest.raises(NotFound):
            _pay(shop.people["cleo"], bad_id)
    assert _written() == before


# --- approving payments, invoice numbers ----------------------------------------------------------


def _booked_and_paid(shop: Shop, customer: str, start: int) -> tuple[int, int]:
    order = book(shop.people[customer], shop.entry, shop.van, day(start), day(start + 2))
    _pay(shop.people[customer], order.id)
    payment_id = _detail(shop.people["admin"], order.id).payments[-1].id
    return order.id, payment_id


def test_admin_approval_issues_gap_free_numbered_paid_invoices(shop: Shop) -> None:
    admin = shop.people["admin"]
    first_order, first_payment = _booked_and_paid(shop, "cleo", 1)
    second_order, second_payment = _booked_and_paid(shop, "dan", 10)
    third_order, third_payment = _booked_and_paid(shop, "cleo", 20)

    detail = _approve(admin, first_order, first_payment)

    invoice = rows(Invoice, Invoice.order_id == first_order)[0]
    year = invoice.issued_at.year
    assert detail.invoice is not None
    assert (detail.invoice.number, detail.invoice.status) == (f"{year}-000001", "paid")
    assert (detail.booking.invoice_status, detail.booking.payment_status) == ("paid", "approved")
    assert invoice.paid_at is not None
    payment = rows(Payment, Payment.id == first_payment)[0]
    assert (payment.status, payment.approved_by) == ("approved", admin.user_id)
    assert payment.approved_at is not None
    assert _emails("payment_approved") == [
        ("cleo@example.com", f"Payment approved for booking {first_order}")]
    assert f"{year}-000001" in rows(OutboxMessage, OutboxMessage.kind == "payment_approved")[0].body
    assert [h.action for h in detail.history] == ["booking_placed", "payment_started",
                                                  "payment_approved"]

    # A refused approval uses no number: the numbers stay gap-free.
    before = _written()
    with pytest.raises(InvalidTransition):
        _approve(admin, first_order, first_payment)
    with pytest.raises(NotFound):  # the payment belongs to another order
        _approve(admin, second_order, third_payment)
    assert _written() == before

    _approve(admin, third_order, third_payment)
    _approve(admin, second_order, second_payment)
    numbers = {i.order_id: i.number for i in rows(Invoice)}
    assert numbers == {first_order: f"{year}-000001", third_order: f"{year}-000002",
                       second_order: f"{year}-000003"}
    assert {i.status for i in rows(Invoice)} == {"paid"}
    with uow.read_session() as session:
        assert session.get(InvoiceCounter, year).last == 3
    assert sorted(to for to, _ in _emails("payment_approved")) == [
        "cleo@example.com", "cleo@example.com", "dan@example.com"]


@pytest.mark.parametrize(("who", "error"), [("staff", Forbidden), ("cleo", Forbidden),
                                            (None, Unauthenticated)])
def test_only_admins_approve_payments(shop: Shop, who: str | None,
                                      error: type[Exception]) -> None:
    order_id, payment_id = _booked_and_paid(shop, "cleo", 1)
    before = _written()
    with pytest.raises(error):
        _approve(shop.people[who] if who else None, order_id, payment_id)
    assert _written() == before
    assert [(i.status, i.number) for i in rows(Invoice)] == [("draft", None)]
    assert [p.status for p in rows(Payment)] == ["pending"]


# --- what the read models say the record allows ---------------------------------------------------


def _mine(actor: Actor, order_id: int) -> rentals.BookingView:
    with uow.read_session() as session:
        return next(v for v in rentals.my_bookings(session, actor=actor) if v.id == order_id)


def test_the_read_models_say_who_may_pay_and_where_the_order_may_go(shop: Shop) -> None:
    admin, staff, cleo = shop.people["admin"], shop.people["staff"], shop.people["cleo"]
    order = book(cleo, shop.entry, shop.van, day(1), day(3))
    assert order.can_pay and _mine(cleo, order.id).can_pay
    detail = _detail(staff, order.id)
    assert (detail.payable, detail.next_statuses) == (True, ["cancelled", "confirmed",
                                                             "finished"])

    # A manual payment under way: staff approve it, the customer cannot pay again.
    paid = _pay(cleo, order.id)
    assert not paid.can_pay and not _mine(cleo, order.id).can_pay
    assert _detail(staff, order.id).payable       # the draft invoice still takes money

    # Payments switched off: nobody is offered "Pay" (a new order either).
    other = book(cleo, shop.entry, shop.van, day(10), day(12))
    rental_settings(admin, payments_enabled=False)
    assert not _mine(cleo, other.id).can_pay
    rental_settings(admin, payments_enabled=True)
    assert _mine(cleo, other.id).can_pay

    # Approved: the invoice is paid, so no more money is taken; a cancelled order is not paid.
    approved = _approve(admin, order.id, _detail(admin, order.id).payments[-1].id)
    assert (approved.payable, approved.booking.can_pay) == (False, False)
    cancelled = change_booking_status(staff, other.id, "cancelled")
    assert not cancelled.booking.can_pay and not _mine(cleo, other.id).can_pay
    assert cancelled.payable                       # no invoice yet (cash refused: not active)
    assert cancelled.next_statuses == ["confirmed", "pending"]


# --- staff: status changes ------------------------------------------------------------------------


def test_change_status_follows_the_table_with_audit_and_email(shop: Shop) -> None:
    staff, cleo = shop.people["staff"], shop.people["cleo"]
    order = book(cleo, shop.entry, shop.suv, day(1), day(3))

    walk = ["confirmed", "finished", "confirmed", "pending", "cancelled", "confirmed"]
    previous = "pending"
    for n, status in enumerate(walk, start=1):
        detail = change_booking_status(staff, order.id, status, note=f"  step {n} ")
        assert detail.booking.status == status
        assert _audit("booking", order.id)[-1] == (staff.user_id, "status_changed", previous,
                                                   status, f"step {n}")
        assert len(_emails("booking_status")) == n
        previous = status
    assert _emails("booking_status")[-1] == ("cleo@example.com",
                                             f"Booking {order.id}: status changed")
    assert "confirmed" in rows(OutboxMessage)[-1].body
    assert [h.action for h in _detail(staff, order.id).history] == [
        "booking_placed", *["status_changed"] * len(walk)]

    before = _written()
    for status, error in [("confirmed", InvalidTransition), ("bogus", ValidationFailed)]:
        with pytest.raises(error):
            change_booking_status(staff, order.id, status)
    change_booking_status(staff, order.id, "finished")
    with pytest.raises(InvalidTransition):
        change_booking_status(staff, order.id, "cancelled")   # finished -> cancelled: no
    with pytest.raises(InvalidTransition):
        change_booking_status(staff, order.id, "pending")     # finished -> pending: no
    assert _written() == {**before, "AuditEntry": before["AuditEntry"] + 1,
                          "OutboxMessage": before["OutboxMessage"] + 1}
    assert rows(BookingOrder)[0].status == "finished"


@pytest.mark.parametrize(("who", "error"), [("cleo", Forbidden), (None, Unauthenticated)])
def test_customers_cannot_change_status_or_see_staff_views(shop: Shop, who: str | None,
                                                            error: type[Exception]) -> None:
    order = book(shop.people["cleo"], shop.entry, shop.suv, day(1), day(3))
    actor = shop.people[who] if who else None
    before = _written()
    with pytest.raises(error):
        change_booking_status(actor, order.id, "confirmed")
    with pytest.raises(error), uow.read_session() as session:
        rentals.order_detail(session, actor=actor, order_id=order.id)
    with pytest.raises(error), uow.read_session() as session:
        rentals.list_orders(session, actor=actor)
    assert _written() == before
    assert rows(BookingOrder)[0].status == "pending"


def test_reactivating_an_order_whose_unit_was_taken_meanwhile_is_refused(shop: Shop) -> None:
    staff = shop.people["staff"]
    first = book(shop.people["cleo"], shop.entry, shop.suv, day(10), day(15))
    change_booking_status(staff, first.id, "cancelled")
    second = book(shop.people["dan"], shop.entry, shop.suv, day(14), day(16))  # same unit
    assert second.unit == first.unit

    before = _written()
    for status in ["pending", "confirmed"]:
        with pytest.raises(SlotTaken) as err:
            change_booking_status(staff, first.id, status)
        assert err.value.key == "rental.unit_taken_meanwhile"
    assert _written() == before
    assert rows(BookingOrder, BookingOrder.id == first.id)[0].status == "cancelled"

    # Once the other order no longer holds the unit, the first one may come back.
    change_booking_status(staff, second.id, "cancelled")
    assert change_booking_status(staff, first.id, "confirmed").booking.status == "confirmed"
    with pytest.raises(SlotTaken):
        change_booking_status(staff, second.id, "pending")


def test_finished_order_coming_back_is_checked_too(shop: Shop) -> None:
    staff = shop.people["staff"]
    first = book(shop.people["cleo"], shop.entry, shop.suv, day(1), day(5))
    change_booking_status(staff, first.id, "finished")
    book(shop.people["dan"], shop.entry, shop.suv, day(4), day(6))
    with pytest.raises(SlotTaken):
        change_booking_status(staff, first.id, "confirmed")
    assert rows(BookingOrder, BookingOrder.id == first.id)[0].status == "finished"


# --- staff: the order list ------------------------------------------------------------------------


def test_list_orders_filters_combine_and_paginate(shop: Shop) -> None:
    staff, cleo, dan = shop.people["staff"], shop.people["cleo"], shop.people["dan"]
    suv_orders = []
    for i in range(22):  # one-day SUV bookings on days 0..21, every third one confirmed
        order = book(cleo, shop.entry, shop.suv, day(i), day(i + 1))
        if i % 3 == 0:
            change_booking_status(staff, order.id, "confirmed")
        suv_orders.append(order.id)
    van_a = book(dan, shop.entry, shop.van, day(5), day(9)).id
    van_b = book(dan, shop.entry, shop.van, day(8), day(12)).id
    van_c = book(dan, shop.entry, shop.van, day(30), day(32)).id
    change_booking_status(staff, van_c, "cancelled")
    all_ids = sorted([*suv_orders, van_a, van_b, van_c], reverse=True)

    def listed(**filters: object) -> tuple[list[int], int]:
        with uow.read_session() as session:
            found, total = rentals.list_orders(session, actor=staff, **filters)
        return [r.id for r in found], total

    page_1, total = listed()
    page_2, _ = listed(page=2)
    assert total == 25
    assert page_1 == all_ids[:20] and page_2 == all_ids[20:]
    assert listed(page=3) == ([], 25)
    assert listed(page="2") == listed(page=0) == listed(page=True) == (page_1, 25)

    confirmed = [o for i, o in enumerate(suv_orders) if i % 3 == 0]
    assert listed(status="confirmed") == (sorted(confirmed, reverse=True), 8)
    assert listed(unit_type_id=shop.van) == ([van_c, van_b, van_a], 3)
    assert listed(unit_type_id=shop.van, status="pending") == ([van_b, van_a], 2)
    assert listed(status="cancelled") == ([van_c], 1)
    assert listed(status="finished") == ([], 0)
    # Overlap with [day 6, day 9): SUV days 6, 7, 8 and both vans; days 5 and 9 only touch.
    assert listed(start=day(6), end=day(9)) == (
        sorted([suv_orders[6], suv_orders[7], suv_orders[8], van_a, van_b], reverse=True), 5)
    assert listed(start=day(6), end=day(9), status="confirmed", unit_type_id=shop.suv) == (
        [suv_orders[6]], 1)
    assert listed(start=day(6), end=day(9), status="pending", unit_type_id=shop.van) == (
        [van_b, van_a], 2)
    assert listed(start=day(30)) == ([van_c], 1)
    assert listed(end=day(1)) == ([suv_orders[0]], 1)
    assert listed(start=day(0), end=day(40), page=2) == (all_ids[20:], 25)

    with uow.read_session() as session:
        [row], _ = rentals.list_orders(session, actor=staff, status="cancelled")
    assert (row.customer, row.unit_type, row.unit, row.start, row.end, row.status, row.total,
            row.currency) == ("Dan Driver", "Van", "Van #1", date.fromisoformat(day(30)),
                              date.fromisoformat(day(32)), "cancelled", Decimal("108.58"), "EUR")

    for filters in [dict(status="bogus"), dict(start=day(9), end=day(6)),
                    dict(start=day(6), end=day(6)), dict(start="June")]:
        with pytest.raises(ValidationFailed), uow.read_session() as session:
            rentals.list_orders(session, actor=staff, **filters)
    with pytest.raises(NotFound), uow.read_session() as session:
        rentals.list_orders(session, actor=staff, unit_type_id="1")
