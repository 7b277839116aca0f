"""Display rows for promotions, vouchers and reservations (locale-aware)."""

from dataclasses import dataclass

import segno

from reserve_app.domain.vouchers import ReservationAction
from reserve_app.i18n import fmt_datetime, fmt_money, translate
from reserve_app.presenters.rentals import day
from reserve_app.services.vouchers import PromotionView, ReservationRow, VoucherView


@dataclass
class VariantCard:
    id: int
    name: str
    price: str          # with tax
    detail: str         # "222.22 € + 17.78 € tax"


@dataclass
class OfferCard:
    id: int
    title: str
    description: str
    required_action: str
    valid: str
    variants: list[VariantCard]


@dataclass
class VoucherCard:
    id: int
    code: str
    customer: str
    email: str
    promotion: str
    variant: str
    status: str
    status_label: str
    required_action: str
    instructions: str
    action_done: bool
    action_done_at: str
    total: str
    payment: str
    notes: str
    created: str
    qr: str             # the code as a QR image (data URI), for scanning at the desk
    pending_payment: int    # a payment waiting for approval (0: none)
    can_cancel: bool        # staff see "Cancel voucher" (domain.vouchers.actions_for)
    cancelled: bool


@dataclass
class ReservationLine:
    id: int
    code: str
    customer: str
    email: str
    promotion: str
    variant: str
    status_label: str
    action_done: bool
    action: str
    created: str


def offer_card(p: PromotionView, lang: str) -> OfferCard:
    valid = ""
    if p.valid_from or p.valid_until:
        valid = translate(lang, "voucher.valid",
                          start=day(p.valid_from, lang) if p.valid_from else "…",
                          end=day(p.valid_until, lang) if p.valid_until else "…")
    return OfferCard(p.id, p.title, p.description, p.required_action, valid, [
        VariantCard(v.id, v.name, fmt_money(v.gross, v.currency, lang),
                    translate(lang, "voucher.price_detail",
                              net=fmt_money(v.price, v.currency, lang),
                              tax=fmt_money(v.tax, v.currency, lang)))
        for v in p.variants])


def voucher_card(v: VoucherView, lang: str, tz: str) -> VoucherCard:
    return VoucherCard(
        v.id, v.code, v.customer, v.customer_email, v.promotion, v.variant, v.status,
        translate(lang, f"voucher.status.{v.status}"), v.required_action, v.instructions,
        v.action_done_at is not None,
        fmt_datetime(v.action_done_at, lang, tz) if v.action_done_at else "",
        fmt_money(v.total, v.currency, lang),
        translate(lang, f"voucher.payment.{v.payment_shown}"), v.notes,
        fmt_datetime(v.created_at, lang, tz), qr_of(v.code),
        v.payment_id if ReservationAction.APPROVE_PAYMENT in v.actions else 0,
        ReservationAction.CANCEL in v.actions, v.cancelled)


def qr_of(code: str) -> str:
    return segno.make(code, error="m").svg_data_uri(scale=4)


def reservation_line(r: ReservationRow, lang: str, tz: str) -> ReservationLine:
    return ReservationLine(
        r.id, r.code, r.customer, r.email, r.promotion, r.variant,
        translate(lang, f"voucher.status.{r.status}"), r.action_done_at is not None,
        fmt_datetime(r.action_done_at, lang, tz) if r.action_done_at
        else translate(lang, "voucher.action_not_done"), fmt_datetime(r.created_at, lang, tz))
