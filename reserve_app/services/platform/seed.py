"""Demo data for a new database: one admin, one staff member, one customer."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, func, select

from reserve_app.domain.accounts import NewAccount, Role
from reserve_app.domain.localized import Entity
from reserve_app.models import (
    BundleItem,
    CannedResponse,
    ExtraField,
    LocalizedText,
    MenuEntry,
    MenuEntryUnitType,
    PointsEntry,
    Product,
    Promotion,
    PromotionVariant,
    RentalSettings,
    Service,
    ServiceStaff,
    ShopSettings,
    SupportSettings,
    Unit,
    UnitType,
    User,
    WorkingHours,
)
from reserve_app.services.accounts.auth import create_user
from reserve_app.services.platform import audit
from reserve_app.services.site.localized import MODELS, default_language

DEMO_USERS = (
    NewAccount("Demo Admin", "admin@example.com", "admin-pass-1", "en", Role.ADMIN),
    NewAccount("Demo Staff", "staff@example.com", "staff-pass-1", "en", Role.STAFF),
    NewAccount("Demo Customer", "customer@example.com", "customer-pass-1", "en", Role.CUSTOMER),
)


def seed_if_empty(session: Session) -> bool:
    """Insert the demo accounts and catalogue when there are no users. True if it seeded."""
    if session.exec(select(func.count()).select_from(User)).one():
        return False
    for data in DEMO_USERS:
        user = create_user(session, data)
        audit.record(session, actor_id=None, entity="user", entity_id=user.id or 0,
                     action="seeded", new=data.role.value)
    _seed_rentals(session)
    _seed_appointments(session)
    _seed_shop(session)
    _seed_support(session)
    _seed_promotions(session)
    _seed_arabic_names(session)
    session.flush()
    return True


def _seed_rentals(session: Session) -> None:
    """A car rental: two unit types, three cars, a menu entry and one extra field."""
    suv = UnitType(name="4x4 SUV", description="Four-wheel drive, five seats.",
                   price_per_day=Decimal("80.00"), tax_rate=Decimal("23"))
    lux = UnitType(name="Luxury car", description="Leather seats, automatic.",
                   price_per_day=Decimal("150.00"), tax_rate=Decimal("23"))
    session.add_all([suv, lux])
    session.flush()
    session.add_all([Unit(unit_type_id=suv.id or 0, name="SUV 1"),
                     Unit(unit_type_id=suv.id or 0, name="SUV 2"),
                     Unit(unit_type_id=lux.id or 0, name="Limousine")])
    entry = MenuEntry(kind="rental", title="Rent a car", path="", position=1)
    session.add(entry)
    session.flush()
    entry.path = f"/rent?entry={entry.id}"
    session.add_all([MenuEntryUnitType(menu_entry_id=entry.id or 0, unit_type_id=suv.id or 0),
                     MenuEntryUnitType(menu_entry_id=entry.id or 0, unit_type_id=lux.id or 0),
                     RentalSettings(id=1),
                     ExtraField(label="Driver licence number", kind="text", required=True,
                                position=1)])


def _seed_appointments(session: Session) -> None:
    """Two services delivered by the demo staff member, Monday to Saturday 09:00-17:00."""
    staff = session.exec(select(User).where(User.role == Role.STAFF.value)).first()
    if staff is None:
        return
    fitting = Service(name="Car fitting", duration_minutes=30, price=Decimal("20.00"))
    tour = Service(name="Guided test drive", duration_minutes=60, price=Decimal("45.00"),
                   requires_approval=True, multiple_clients=False)
    session.add_all([fitting, tour])
    session.flush()
    for service in (fitting, tour):
        session.add(ServiceStaff(service_id=service.id or 0, staff_id=staff.id or 0))
    for weekday in range(6):
        session.add(WorkingHours(staff_id=staff.id or 0, weekday=weekday, start="09:00",
                                 end="17:00"))
    session.add(MenuEntry(kind="appointments", title="Book an appointment", path="/services",
                          position=2))


def _seed_shop(session: Session) -> None:
    """A small café-style shop: products, a time package, a bundle; 100 welcome points."""
    cola = Product(name="Cola", price=Decimal("2.50"), tax_rate=Decimal("8"), points_price=25,
                   stock=50, position=1)
    chips = Product(name="Chips", price=Decimal("1.80"), tax_rate=Decimal("8"), stock=40,
                    position=2)
    play = Product(name="3 hours of play", kind="time_package", price=Decimal("15.00"),
                   tax_rate=Decimal("23"), points_price=150, minutes=180, position=3)
    session.add_all([cola, chips, play])
    session.flush()
    combo = Product(name="Snack combo", kind="bundle", price=Decimal("3.90"),
                    tax_rate=Decimal("8"), position=4)
    session.add(combo)
    session.flush()
    session.add_all([BundleItem(bundle_id=combo.id or 0, product_id=cola.id or 0, quantity=1),
                     BundleItem(bundle_id=combo.id or 0, product_id=chips.id or 0, quantity=1),
                     ShopSettings(id=1),
                     MenuEntry(kind="shop", title="Shop", path="/shop", position=3)])
    customer = session.exec(select(User).where(User.role == Role.CUSTOMER.value)).first()
    if customer is not None:
        session.add(PointsEntry(customer_id=customer.id or 0, points=100, reason="adjustment",
                                note="Welcome points"))


def _seed_support(session: Session) -> None:
    """Self-service on, and two canned responses staff can pick."""
    session.add(SupportSettings(id=1, enabled=True))
    session.add_all([
        CannedResponse(title="We are looking into it",
                       text="Thank you for your message. We are looking into it and will get "
                            "back to you within two working days."),
        CannedResponse(title="Refund issued",
                       text="We have refunded the payment. It can take 5–10 days to show on "
                            "your statement."),
    ])


def _seed_promotions(session: Session) -> None:
    """One travel package with two variants and a required action, in the storefront menu."""
    trip = Promotion(
        title="Mountain weekend", description="Half board in a mountain lodge, sauna included.",
        required_action="Sign the travel contract",
        instructions="Print the contract we email you, sign it and bring it to the front desk "
                     "or send a scan. Show this voucher (the code or its QR code) on arrival.")
    session.add(trip)
    session.flush()
    session.add_all([
        PromotionVariant(promotion_id=trip.id or 0, name="2 nights", price=Decimal("240.00"),
                         tax_rate=Decimal("8"), position=1),
        PromotionVariant(promotion_id=trip.id or 0, name="4 nights", price=Decimal("420.00"),
                         tax_rate=Decimal("8"), position=2),
        MenuEntry(kind="promotions", title="Offers", path="/promotions", position=4),
    ])


# The demo catalogue's names in Arabic, by the record's own (English) text.
ARABIC = {
    Entity.MENU_ENTRY: {"title": {"Rent a car": "استئجار سيارة",
                                  "Book an appointment": "احجز موعدًا",
                                  "Shop": "المتجر", "Offers": "العروض"}},
    Entity.UNIT_TYPE: {"name": {"4x4 SUV": "سيارة دفع رباعي",
                                "Luxury car": "سيارة فاخرة"},
                       "description": {"Four-wheel drive, five seats.":
                                       "دفع رباعي، خمسة مقاعد.",
                                       "Leather seats, automatic.":
                                       "مقاعد جلدية، ناقل حركة أوتوماتيكي."}},
    Entity.SERVICE: {"name": {"Car fitting": "تجهيز السيارة",
                              "Guided test drive": "تجربة قيادة مع مرافق"}},
    Entity.PRODUCT: {"name": {"Cola": "كولا", "Chips": "رقائق البطاطس",
                              "3 hours of play": "ثلاث ساعات من اللعب",
                              "Snack combo": "وجبة خفيفة مجمّعة"}},
    Entity.PROMOTION: {"title": {"Mountain weekend": "عطلة نهاية أسبوع في الجبال"},
                       "description": {"Half board in a mountain lodge, sauna included.":
                                       "نصف إقامة في نُزل جبلي، مع الساونا."}},
    Entity.VARIANT: {"name": {"2 nights": "ليلتان", "4 nights": "أربع ليالٍ"}},
}


def _seed_arabic_names(session: Session) -> None:
    """Arabic names for the demo catalogue (when Arabic is not the records' own language)."""
    if default_language() == "ar":
        return
    session.flush()
    for entity, fields in ARABIC.items():
        for row in session.exec(select(MODELS[entity])).all():
            for field, by_text in fields.items():
                if (text := by_text.get(getattr(row, field))) is not None:
                    row_id: int = getattr(row, "id", None) or 0  # every MODELS table has one
                    session.add(LocalizedText(entity=entity.value, entity_id=row_id,
                                              field=field, lang="ar", text=text))
