"""What the vouchers' use cases return: promotions with their variants, vouchers (one
reservation as its customer and staff see it, with what staff may do with it), and the staff
list's rows; built here from the tables."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from reserve_app.domain import vouchers as rules
from reserve_app.domain.localized import Entity
from reserve_app.domain.money import tax_on
from reserve_app.domain.vouchers import ReservationStatus
from reserve_app.models import Promotion, PromotionVariant, Reservation, User
from reserve_app.services.billing import invoices as billing
from reserve_app.services.site import localized
from reserve_app.settings import get_settings

ORDER_KIND = "reservation"


@dataclass(frozen=True)
class VariantView:
    id: int
    name: str
    price: Decimal          # before tax
    tax: Decimal
    gross: Decimal
    currency: str
    tax_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class PromotionView:
    id: int
    title: str
    description: str
    required_action: str
    instructions: str
    valid_from: date | None
    valid_until: date | None
    active: bool
    variants: list[VariantView]


@dataclass(frozen=True)
class VoucherView:
    id: int
    code: str
    customer: str
    customer_email: str
    promotion_id: int
    promotion: str
    variant_id: int
    variant: str
    status: str
    required_action: str
    instructions: str
    action_done_at: datetime | None
    total: Decimal
    currency: str
    invoice_number: str
    invoice_status: str
    payment_status: str
    notes: str
    created_at: datetime
    payment_id: int = 0         # the latest payment (staff approve it while pending)
    # What the record allows and says (domain.vouchers): staff's buttons (actions_for),
    # whether it is cancelled, and its payment's state (a key under "voucher.payment.").
    actions: tuple[str, ...] = ()
    cancelled: bool = False
    payment_shown: str = "none"


@dataclass(frozen=True)
class ReservationRow:
    id: int
    code: str
    customer: str
    email: str
    promotion: str
    variant: str
    status: str
    action_done_at: datetime | None
    created_at: datetime


def variant_view(v: PromotionVariant) -> VariantView:
    tax = tax_on(v.price, v.tax_rate)
    return VariantView(v.id or 0, v.name, v.price, tax, v.price + tax, get_settings().currency,
                       v.tax_rate)


def promotion_view(session: Session, p: Promotion, *, all_variants: bool = False
                   ) -> PromotionView:
    query = select(PromotionVariant).where(PromotionVariant.promotion_id == p.id)
    if not all_variants:
        query = query.where(col(PromotionVariant.active))
    variants = session.exec(query.order_by(col(PromotionVariant.position),
                                           col(PromotionVariant.id))).all()
    return PromotionView(p.id or 0, p.title, p.description, p.required_action, p.instructions,
                         p.valid_from, p.valid_until, p.active,
                         [variant_view(v) for v in variants])


def voucher_view(session: Session, r: Reservation) -> VoucherView:
    promotion = session.get(Promotion, r.promotion_id)
    variant = session.get(PromotionVariant, r.variant_id)
    customer = session.get(User, r.customer_id)
    invoice = billing.invoice_for(session, ORDER_KIND, r.id or 0)
    pays = billing.payments_of(session, invoice.id or 0) if invoice else []
    status = ReservationStatus(r.status)
    invoice_status = invoice.status if invoice else ""
    payment_status = pays[-1].status if pays else ""
    return VoucherView(
        r.id or 0, r.code, customer.name if customer else "",
        customer.email if customer else "", r.promotion_id,
        promotion.title if promotion else "", r.variant_id, variant.name if variant else "",
        r.status, promotion.required_action if promotion else "",
        promotion.instructions if promotion else "", r.action_done_at, r.total, r.currency,
        invoice.number or "" if invoice else "", invoice_status, payment_status, r.notes,
        r.created_at, pays[-1].id if pays else 0,
        tuple(rules.actions_for(status, payment_status=payment_status)),
        status is ReservationStatus.CANCELLED,
        rules.payment_shown(invoice_status, payment_status))


def vouchers_in(session: Session, views: list[VoucherView], lang: str) -> list[VoucherView]:
    """The views with promotion and variant names in `lang` where an admin gave them."""
    titles = localized.names(session, Entity.PROMOTION, [v.promotion_id for v in views], lang)
    names = localized.names(session, Entity.VARIANT, [v.variant_id for v in views], lang)
    return [replace(v, promotion=titles.get(v.promotion_id, v.promotion),
                    variant=names.get(v.variant_id, v.variant)) for v in views]
