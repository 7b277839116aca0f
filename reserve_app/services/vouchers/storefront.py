"""The storefront: offers anyone may browse, buying a variant (a reservation with its voucher
code, a draft invoice and a payment started), and the customer's own vouchers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlmodel import Session, col, select

from reserve_app.domain import vouchers as rules
from reserve_app.domain.accounts import Actor, require_login
from reserve_app.domain.errors import DomainError, NotFound
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.domain.money import q, tax_on
from reserve_app.models import Promotion, PromotionVariant, Reservation
from reserve_app.models.base import utcnow
from reserve_app.services.billing import invoices as billing
from reserve_app.services.billing import payments
from reserve_app.services.platform import audit
from reserve_app.services.site import localized
from reserve_app.services.vouchers.views import (
    ORDER_KIND,
    PromotionView,
    VoucherView,
    promotion_view,
    voucher_view,
    vouchers_in,
)
from reserve_app.settings import get_settings


def _on_offer(p: Promotion, today: date) -> bool:
    return (p.active and (p.valid_from is None or p.valid_from <= today)
            and (p.valid_until is None or today <= p.valid_until))


def _in_language(session: Session, views: list[PromotionView], lang: str
                 ) -> list[PromotionView]:
    """The views with title, description and variant names in `lang` where an admin gave
    them (two queries for the whole list)."""
    own = localized.texts(session, Entity.PROMOTION, [v.id for v in views], lang)
    names = localized.names(session, Entity.VARIANT,
                            [x.id for v in views for x in v.variants], lang)
    if not own and not names:
        return views
    return [replace(v, title=own.get(v.id, {}).get("title", v.title),
                    description=own.get(v.id, {}).get("description", v.description),
                    variants=[replace(x, name=names.get(x.id, x.name)) for x in v.variants])
            for v in views]


def offers(session: Session, *, today: date, lang: str = "") -> list[PromotionView]:
    """What the storefront shows: active promotions valid today that have a variant, in
    `lang` where an admin gave their texts."""
    rows = session.exec(select(Promotion).where(col(Promotion.active))
                        .order_by(col(Promotion.id))).all()
    views = [promotion_view(session, p) for p in rows if _on_offer(p, today)]
    return _in_language(session, [v for v in views if v.variants], lang)


def offer(session: Session, *, promotion_id: object, today: date, lang: str = ""
          ) -> PromotionView:
    p = session.get(Promotion, record_id(promotion_id))
    if p is None or not _on_offer(p, today):
        raise NotFound()
    return _in_language(session, [promotion_view(session, p)], lang)[0]


def buy(session: Session, *, actor: Actor | None, variant_id: object, today: date,
        now: datetime | None = None) -> str:
    """A customer buys a variant: reservation + voucher code, draft invoice, payment started
    through the payment provider. Returns the voucher code."""
    customer = require_login(actor)
    if customer.is_staff:
        raise DomainError("voucher.customers_only")
    variant = session.get(PromotionVariant, record_id(variant_id))
    promotion = session.get(Promotion, variant.promotion_id) if variant else None
    if variant is None or not variant.active or promotion is None \
            or not _on_offer(promotion, today):
        raise NotFound()
    tax = tax_on(variant.price, variant.tax_rate)
    # 12 random symbols from 30 (about 59 bits): the unique constraint guards the
    # practically impossible collision, which fails the purchase instead of reusing a code.
    reservation = Reservation(
        code=rules.new_code(), customer_id=customer.user_id, promotion_id=promotion.id or 0,
        variant_id=variant.id or 0, subtotal=variant.price, tax=tax,
        total=q(variant.price + tax), currency=get_settings().currency,
        created_at=now or utcnow())
    session.add(reservation)
    session.flush()
    invoice = billing.draft_invoice(session, order_kind=ORDER_KIND, order_id=reservation.id or 0,
                                    customer_id=customer.user_id, subtotal=reservation.subtotal,
                                    tax=reservation.tax, total=reservation.total,
                                    currency=reservation.currency)
    payment = payments.provider().start(session, invoice)
    audit.record(session, actor_id=customer.user_id, entity=ORDER_KIND,
                 entity_id=reservation.id or 0, action="reservation_bought",
                 new=f"{promotion.title} / {variant.name}",
                 note=f"{payment.provider} {payment.amount}")
    session.flush()
    return reservation.code


def voucher(session: Session, *, actor: Actor | None, code: object, lang: str = ""
            ) -> VoucherView:
    """A voucher by its code: to its customer (and staff). Anyone else, or a code that does
    not exist, gets the same "not found". Names in `lang` where an admin gave them."""
    who = require_login(actor)
    wanted = rules.parse_code(code)
    if wanted is None:
        raise NotFound()
    r = session.exec(select(Reservation).where(Reservation.code == wanted)).first()
    if r is None or (not who.is_staff and r.customer_id != who.user_id):
        raise NotFound()
    return vouchers_in(session, [voucher_view(session, r)], lang)[0]


def my_vouchers(session: Session, *, actor: Actor | None, lang: str = "") -> list[VoucherView]:
    who = require_login(actor)
    rows = session.exec(select(Reservation).where(Reservation.customer_id == who.user_id)
                        .order_by(col(Reservation.id).desc()).limit(100)).all()
    return vouchers_in(session, [voucher_view(session, r) for r in rows], lang)
