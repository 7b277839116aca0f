"""Catalogue names per language: overrides, fallback, the admin's use case, the read models."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from reserve_app.domain.accounts import Actor, Role
from reserve_app.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from reserve_app.domain.localized import Entity
from reserve_app.models import (
    AuditEntry,
    LocalizedText,
    MenuEntry,
    OutboxMessage,
    Product,
    Service,
    UnitType,
)
from reserve_app.services import appointments, rentals, shop, uow, vouchers
from reserve_app.services.platform import seed
from reserve_app.services.site import localized, menu

from .helpers import TODAY, add_admin, add_user, count, day, rows, selects_on


@pytest.fixture
def admin() -> Actor:
    with uow.write_session() as session:
        seed.seed_if_empty(session)
    return add_admin("Translator", "translator@example.com")


def ids(model, attr: str) -> dict[str, int]:  # noqa: ANN001
    with uow.read_session() as session:
        return {getattr(r, attr): r.id or 0 for r in session.exec(select(model)).all()}


def save(actor: Actor | None, entity: object, entity_id: object, texts: object) -> int:
    with uow.write_session() as session:
        return localized.save_translations(session, actor=actor, entity=entity,
                                           entity_id=entity_id, texts=texts)


def read(fn, /, **kwargs):  # noqa: ANN001, ANN202
    with uow.read_session() as session:
        return fn(session, **kwargs)


# ---- the demo seed and the storefront read models -----------------------------------------

def test_the_demo_menu_and_catalogue_have_arabic_names_and_english_keeps_its_own(
        admin: Actor) -> None:
    titles_ar = [m.title for m in read(menu.storefront_menu, lang="ar")]
    assert titles_ar == ["استئجار سيارة", "احجز موعدًا", "المتجر", "العروض"]
    assert [m.title for m in read(menu.storefront_menu, lang="en")] == [
        "Rent a car", "Book an appointment", "Shop", "Offers"]
    assert [m.title for m in read(menu.storefront_menu)] == [
        "Rent a car", "Book an appointment", "Shop", "Offers"]

    entry = ids(MenuEntry, "title")["Rent a car"]
    assert read(rentals.rental_page, entry_id=entry, lang="ar").title == "استئجار سيارة"
    offers = read(rentals.search, entry_id=entry, start=day(3), end=day(5), today=TODAY,
                  lang="ar")
    assert {(o.name, o.description) for o in offers} == {
        ("سيارة دفع رباعي", "دفع رباعي، خمسة مقاعد."),
        ("سيارة فاخرة", "مقاعد جلدية، ناقل حركة أوتوماتيكي.")}
    suv = ids(UnitType, "name")["4x4 SUV"]
    summary = read(rentals.summary, entry_id=entry, unit_type_id=suv, start=day(3),
                   end=day(5), today=TODAY, lang="ar")
    assert summary.name == "سيارة دفع رباعي"

    assert {s.name for s in read(appointments.list_services, lang="ar")} == {
        "تجهيز السيارة", "تجربة قيادة مع مرافق"}
    assert {s.name for s in read(appointments.list_services)} == {
        "Car fitting", "Guided test drive"}

    products = {p.name: p for p in read(shop.catalogue, lang="ar")}
    assert set(products) == {"كولا", "رقائق البطاطس", "ثلاث ساعات من اللعب",
                             "وجبة خفيفة مجمّعة"}
    assert products["وجبة خفيفة مجمّعة"].contents == "1 × رقائق البطاطس, 1 × كولا"

    (trip,) = read(vouchers.offers, today=date.today(), lang="ar")
    assert trip.title == "عطلة نهاية أسبوع في الجبال"
    assert trip.description == "نصف إقامة في نُزل جبلي، مع الساونا."
    assert [v.name for v in trip.variants] == ["ليلتان", "أربع ليالٍ"]
    (trip_en,) = read(vouchers.offers, today=date.today(), lang="en")
    assert (trip_en.title, [v.name for v in trip_en.variants]) == (
        "Mountain weekend", ["2 nights", "4 nights"])


def test_a_record_without_a_name_in_the_language_shows_its_own(admin: Actor) -> None:
    with uow.write_session() as session:
        new_id = shop.save_product(session, actor=admin, name="Water", kind="product",
                                   price="1.00")
    products = {p.id: p.name for p in read(shop.catalogue, lang="ar")}
    assert products[new_id] == "Water"
    assert products[ids(Product, "name")["Cola"]] == "كولا"
    # Only the title was given: the description falls back on its own.
    unit_type = ids(UnitType, "name")["Luxury car"]
    save(admin, "unit_type", unit_type, {"description:ar": ""})
    entry = ids(MenuEntry, "title")["Rent a car"]
    offers = {o.unit_type_id: o for o in read(rentals.search, entry_id=entry, start=day(3),
                                              end=day(5), today=TODAY, lang="ar")}
    assert offers[unit_type].name == "سيارة فاخرة"
    assert offers[unit_type].description == "Leather seats, automatic."


def test_each_list_reads_its_names_in_one_query(admin: Actor) -> None:
    for n in range(10):   # more products, still one query
        with uow.write_session() as session:
            pid = shop.save_product(session, actor=admin, name=f"Extra {n}", kind="product",
                                    price="1.00")
        save(admin, "product", pid, {"name:ar": f"إضافي {n}"})
    with selects_on("localized_texts") as seen:
        products = read(shop.catalogue, lang="ar")
    assert len(products) == 14
    # The products, then the bundle's contents.
    assert len(seen) == 2
    with selects_on("localized_texts") as seen:
        read(menu.storefront_menu, lang="ar")
    assert len(seen) == 1
    with selects_on("localized_texts") as seen:
        read(vouchers.offers, today=date.today(), lang="ar")
    assert len(seen) == 2   # the promotions' texts, then their variants' names
    with selects_on("localized_texts") as seen:   # the records' own language: no query at all
        read(shop.catalogue, lang="en")
    assert seen == []


def test_the_customers_own_orders_and_bookings_show_names_in_their_language(
        admin: Actor) -> None:
    customer = add_user("Layla", "layla@example.com", Role.CUSTOMER, language="ar")
    cola = ids(Product, "name")["Cola"]
    with uow.write_session() as session:
        shop.place_order(session, actor=customer, items=[
            {"product_id": cola, "pay_with": "money", "quantity": 2}], method="cash")
    (order,) = read(shop.my_orders, actor=customer, lang="ar")
    assert [i.name for i in order.items] == ["كولا"]
    (order_en,) = read(shop.my_orders, actor=customer, lang="en")
    assert [i.name for i in order_en.items] == ["Cola"]
    cart = read(shop.quote_cart, items=[{"product_id": cola, "pay_with": "money",
                                         "quantity": 1}], lang="ar")
    assert [ln.name for ln in cart.lines] == ["كولا"]

    entry = ids(MenuEntry, "title")["Rent a car"]
    suv = ids(UnitType, "name")["4x4 SUV"]
    with uow.write_session() as session:
        rentals.place_booking(session, actor=customer, entry_id=entry, unit_type_id=suv,
                              start=day(3), end=day(5), answers={"1": "D-123"}, today=TODAY)
    (booking,) = read(rentals.my_bookings, actor=customer, lang="ar")
    assert booking.unit_type == "سيارة دفع رباعي"
    # The confirmation email is in the customer's language, with the Arabic name.
    mail = rows(OutboxMessage, OutboxMessage.to_email == "layla@example.com")[-1]
    assert "سيارة دفع رباعي" in mail.body


# ---- the admin's use case -------------------------------------------------------------------

def test_an_admin_sets_changes_and_removes_a_name_each_change_audited(admin: Actor) -> None:
    chips = ids(Product, "name")["Chips"]
    assert save(admin, "product", chips, {"name:ar": "  شيبس  "}) == 1
    assert {p.id: p.name for p in read(shop.catalogue, lang="ar")}[chips] == "شيبس"
    assert save(admin, "product", chips, {"name:ar": "شيبس"}) == 0   # unchanged: no row
    assert save(admin, "product", chips, {"name:ar": ""}) == 1       # removed: own name back
    assert {p.id: p.name for p in read(shop.catalogue, lang="ar")}[chips] == "Chips"
    assert count(LocalizedText, LocalizedText.entity == "product",
                 LocalizedText.entity_id == chips) == 0
    trail = rows(AuditEntry, AuditEntry.entity == "product", AuditEntry.entity_id == chips,
                 AuditEntry.action == "translation_saved")
    assert [(a.actor_id, a.old_value, a.new_value, a.note) for a in trail] == [
        (admin.user_id, "رقائق البطاطس", "شيبس", "name:ar"),
        (admin.user_id, "شيبس", "", "name:ar")]

    table = read(localized.translation_table, actor=admin, entity="product")
    row = next(r for r in table if r.entity_id == chips)
    assert row.label == "Chips"
    assert [(f.field, f.original, f.texts) for f in row.fields] == [("name", "Chips", {"ar": ""})]
    cola = next(r for r in table if r.label == "Cola")
    assert cola.fields[0].texts == {"ar": "كولا"}


@pytest.mark.parametrize("role", [None, Role.CUSTOMER, Role.STAFF])
def test_only_admins_translate(admin: Actor, role: Role | None) -> None:
    actor = add_user("Someone", "someone@example.com", role) if role else None
    service = ids(Service, "name")["Car fitting"]
    error = Unauthenticated if role is None else Forbidden
    with pytest.raises(error):
        save(actor, "service", service, {"name:ar": "اختراق"})
    with pytest.raises(error):
        read(localized.translation_table, actor=actor, entity="service")
    assert read(appointments.list_services, lang="ar")[0].name in {
        "تجهيز السيارة", "تجربة قيادة مع مرافق"}
    assert count(AuditEntry, AuditEntry.action == "translation_saved") == 0


@pytest.mark.parametrize("texts", [
    {"name:xx": "x"},                        # not one of the app's languages
    {"name:en": "Cola!"},                    # the records' own language: edit the record
    {"name": "كولا"},                        # no language
    {"price:ar": "1"},                       # not a translatable field
    {"description:ar": "وصف"},               # products have no description
    {"name:ar": "ك" * 101},                  # longer than the name column
    {"name:ar": ["كولا"]},                   # not text
    {"name:ar": "كو\nلا"},                   # a name is one line
    {"name:ar": "كولا جديدة", "name:he": "x"},  # one bad key: nothing is saved
    {},
    "name:ar=كولا",
])
def test_bad_texts_are_refused_and_change_nothing(admin: Actor, texts: object) -> None:
    cola = ids(Product, "name")["Cola"]
    before = rows(LocalizedText)
    with pytest.raises(ValidationFailed):
        save(admin, "product", cola, texts)
    assert [(t.id, t.text) for t in rows(LocalizedText)] == [(t.id, t.text) for t in before]
    assert count(AuditEntry, AuditEntry.action == "translation_saved") == 0


def test_unknown_entities_and_records_are_refused(admin: Actor) -> None:
    with pytest.raises(ValidationFailed):
        save(admin, "user", 1, {"name:ar": "x"})
    with pytest.raises(ValidationFailed):
        read(localized.translation_table, actor=admin, entity="canned_response")
    for bad_id in (999_999, "1", -1, True, None):
        with pytest.raises(NotFound):
            save(admin, "product", bad_id, {"name:ar": "x"})
    assert count(AuditEntry, AuditEntry.action == "translation_saved") == 0


def test_descriptions_may_break_lines_and_have_their_own_limit(admin: Actor) -> None:
    suv = ids(UnitType, "name")["4x4 SUV"]
    assert save(admin, Entity.UNIT_TYPE.value, suv,
                {"description:ar": "سطر أول\nسطر ثانٍ", "name:ar": "جيب"}) == 2
    with pytest.raises(ValidationFailed) as err:
        save(admin, "unit_type", suv, {"description:ar": "و" * 2001})
    assert err.value.fields == {"description:ar": "field.too_long"}
