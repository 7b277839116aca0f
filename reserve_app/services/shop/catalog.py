"""The catalogue: products, time packages and bundles (what the storefront lists, and the
admin's product form)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete
from sqlmodel import Session, col, select

from reserve_app.domain import shop as rules
from reserve_app.domain.accounts import Actor, require_admin, require_staff
from reserve_app.domain.errors import NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.domain.money import tax_on
from reserve_app.models import BundleItem, Product
from reserve_app.services.platform import audit, db
from reserve_app.services.site import localized
from reserve_app.settings import get_settings

from .settings import SettingsView, load_settings, settings_view


@dataclass(frozen=True)
class ProductView:
    id: int
    name: str
    kind: str
    price: Decimal
    tax_rate: Decimal
    gross: Decimal          # price with tax, as the customer pays it
    points_price: int | None
    stock: int | None
    minutes: int | None
    orderable: bool
    contents: str           # bundles: "2 × Cola, 1 × Chips"
    currency: str
    bundleable: bool        # may be part of a bundle (see domain.shop.can_be_bundled)


def catalogue(session: Session, *, all_products: bool = False,
              actor: Actor | None = None, lang: str = "") -> list[ProductView]:
    """Storefront: orderable products while the shop is on, named in `lang` where an admin
    gave a name. Admin (`all_products`): all, with their own names."""
    if all_products:
        require_staff(actor)
    elif not load_settings(session).enabled:
        return []
    query = select(Product).order_by(col(Product.position), col(Product.id))
    if not all_products:
        query = query.where(col(Product.orderable))
    products = session.exec(query).all()
    contents = bundle_contents(session, [p.id or 0 for p in products
                                         if p.kind == rules.ProductKind.BUNDLE], lang)
    currency = get_settings().currency
    own = localized.names(session, Entity.PRODUCT, [p.id or 0 for p in products], lang)
    return [ProductView(p.id or 0, own.get(p.id or 0, p.name), p.kind, p.price, p.tax_rate,
                        p.price + tax_on(p.price, p.tax_rate), p.points_price, p.stock,
                        p.minutes, p.orderable, contents.get(p.id or 0, ""), currency,
                        rules.can_be_bundled(rules.ProductKind(p.kind)))
            for p in products]


@dataclass(frozen=True)
class AdminCatalogue:
    """The admin "Shop" page in one read: the shop's settings and every product."""
    settings: SettingsView
    products: list[ProductView]


def admin_catalogue(session: Session, *, actor: Actor | None) -> AdminCatalogue:
    settings = settings_view(session)
    return AdminCatalogue(settings, catalogue(session, all_products=True, actor=actor))


def bundle_contents(session: Session, bundle_ids: Sequence[int], lang: str = ""
                    ) -> dict[int, str]:
    """Each bundle's contents as text ("2 × Cola, 1 × Chips"), products named in `lang`."""
    if not bundle_ids:
        return {}
    rows = session.exec(select(BundleItem.bundle_id, BundleItem.quantity, Product.name,
                               BundleItem.product_id)
                        .join(Product, col(Product.id) == col(BundleItem.product_id))
                        .where(col(BundleItem.bundle_id).in_(bundle_ids))
                        .order_by(col(Product.name))).all()
    own = localized.names(session, Entity.PRODUCT, [r[3] for r in rows], lang)
    found: dict[int, list[str]] = {}
    for bundle_id, quantity, name, product_id in rows:
        found.setdefault(bundle_id, []).append(f"{quantity} × {own.get(product_id, name)}")
    return {k: ", ".join(v) for k, v in found.items()}


def save_product(session: Session, *, actor: Actor | None, product_id: object = None,
                 name: object, kind: object, price: object, tax_rate: object = "0",
                 points_price: object = None, stock: object = None, minutes: object = None,
                 orderable: object = True, bundle: Mapping[object, object] | None = None
                 ) -> int:
    """Create (product_id None) or change a product. Bundles name their contents."""
    admin = require_admin(actor)
    contents = _check_bundle(session, bundle or {}, product_id)
    clean = rules.check_product(name=name, kind=kind, price=price, tax_rate=tax_rate,
                                points_price=points_price, stock=stock, minutes=minutes,
                                bundle=contents)
    before: dict[str, object] | None = None
    if product_id is None:
        product = Product(name="", price=Decimal(0))
        session.add(product)
    else:
        found = session.get(Product, record_id(product_id))
        if found is None:
            raise NotFound()
        product = found
        db.serialize_on(session, f"product:{product.id}")  # two admins editing: in turn
        session.refresh(product)
        before = _product_audited(session, product)
    # Orders already sent keep their prices and points (copied on each order line), so an
    # edit applies to new orders only.
    for key, value in clean.items():
        setattr(product, key, value)
    product.orderable = orderable is True
    session.flush()
    session.execute(delete(BundleItem).where(col(BundleItem.bundle_id) == product.id))
    if product.kind == rules.ProductKind.BUNDLE:
        session.add_all(BundleItem(bundle_id=product.id or 0, product_id=pid, quantity=n)
                        for pid, n in contents.items())
    session.flush()
    if before is None:
        audit.record(session, actor_id=admin.user_id, entity="shop_product",
                     entity_id=product.id or 0, action="product_saved", new=product.name)
    else:
        audit.record_changes(session, actor_id=admin.user_id, entity="shop_product",
                             entity_id=product.id or 0, action="product_changed",
                             before=before, after=_product_audited(session, product))
    session.flush()
    return product.id or 0


def _product_audited(session: Session, p: Product) -> dict[str, object]:
    def maybe(value: object) -> object:
        return "-" if value is None else value

    return {"name": p.name, "kind": str(p.kind), "price": p.price, "tax rate": p.tax_rate,
            "points price": maybe(p.points_price), "stock": maybe(p.stock),
            "minutes": maybe(p.minutes), "orderable": p.orderable,
            "contents": bundle_contents(session, [p.id or 0]).get(p.id or 0, "-")}


def _check_bundle(session: Session, bundle: Mapping[object, object],
                  product_id: object) -> dict[int, int]:
    contents: dict[int, int] = {}
    for raw_id, raw_qty in bundle.items():
        pid = record_id(raw_id)
        qty = rules.parse_quantity(raw_qty)
        part = session.get(Product, pid)
        if part is None or not rules.can_be_bundled(rules.ProductKind(part.kind)) \
                or pid == product_id:
            raise ValidationFailed({"bundle": "shop.bundle_invalid"})
        contents[pid] = qty
    return contents


def bundle_of(session: Session, *, actor: Actor | None, product_id: object) -> dict[int, int]:
    """A product's bundle contents (product id -> quantity), for the admin form."""
    require_admin(actor)
    product = session.get(Product, record_id(product_id))
    if product is None:
        raise NotFound()
    return {b.product_id: b.quantity for b in session.exec(
        select(BundleItem).where(col(BundleItem.bundle_id) == product.id)).all()}


def set_orderable(session: Session, *, actor: Actor | None, product_id: object,
                  orderable: object) -> None:
    admin = require_admin(actor)
    product = session.get(Product, record_id(product_id))
    if product is None:
        raise NotFound()
    if not isinstance(orderable, bool):
        raise ValidationFailed({"orderable": "field.choice_invalid"})
    product.orderable = orderable
    audit.record(session, actor_id=admin.user_id, entity="shop_product",
                 entity_id=product.id or 0, action="orderable_changed", new=orderable)
    session.flush()
