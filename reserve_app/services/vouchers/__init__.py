"""Promotions, reservations and vouchers.

Customers browse offers without an account and buy a variant once logged in: a reservation
with a voucher code, a draft invoice and a payment through the payment interface. Staff find
reservations by promotion, variant and whether the required action is done, mark the action
done (or undo it), and export CSV, streamed in batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from reserve_app.domain import vouchers as rules
from reserve_app.domain.accounts import Actor, require_admin, require_login, require_staff
from reserve_app.domain.billing import InvoiceStatus, PaymentStatus
from reserve_app.domain.errors import DomainError, NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.localized import Entity
from reserve_app.domain.money import parse_amount, q, tax_on
from reserve_app.domain.periods import parse_day
from reserve_app.domain.vouchers import ReservationFilter, ReservationStatus
from reserve_app.models import (
    Payment,
    Promotion,
    PromotionVariant,
    Reservation,
    User,
)
from reserve_app.models.base import utcnow
from reserve_app.services import uow
from reserve_app.services.billing import invoices as billing
from reserve_app.services.billing import payments
from reserve_app.services.platform import audit, db, outbox
from reserve_app.services.site import localized
from reserve_app.settings import get_settings

ORDER_KIND = "reservation"
EXPORT_BATCH = 500
EXPORT_HEADER_KEYS = ("voucher.csv.code", "voucher.csv.customer", "voucher.csv.email",
                      "voucher.csv.promotion", "voucher.csv.variant", "voucher.csv.status",
                      "voucher.csv.action_done_at", "voucher.csv.created_at")


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


# ---- admin: promotions and variants --------------------------------------------------------

def _variant_view(v: PromotionVariant) -> VariantView:
    tax = tax_on(v.price, v.tax_rate)
    return VariantView(v.id or 0, v.name, v.price, tax, v.price + tax, get_settings().currency,
                       v.tax_rate)


def _view(session: Session, p: Promotion, *, all_variants: bool = False) -> PromotionView:
    query = select(PromotionVariant).where(PromotionVariant.promotion_id == p.id)
    if not all_variants:
        query = query.where(col(PromotionVariant.active))
    variants = session.exec(query.order_by(col(PromotionVariant.position),
                                           col(PromotionVariant.id))).all()
    return PromotionView(p.id or 0, p.title, p.description, p.required_action, p.instructions,
                         p.valid_from, p.valid_until, p.active,
                         [_variant_view(v) for v in variants])


def all_promotions(session: Session, *, actor: Actor | None) -> list[PromotionView]:
    require_staff(actor)
    rows = session.exec(select(Promotion).order_by(col(Promotion.id))).all()
    return [_view(session, p) for p in rows]


def _text(value: object, field: str, limit: int, errors: dict[str, str], *,
          required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        errors[field] = "field.required"
    elif len(text) > limit:
        errors[field] = "field.too_long"
    return text


def save_promotion(session: Session, *, actor: Actor | None, promotion_id: object,
                   title: object, description: object = "", required_action: object = "",
                   instructions: object = "", valid_from: object = "", valid_until: object = "",
                   active: object = True) -> int:
    """Add (`promotion_id` 0) or change a promotion."""
    admin = require_admin(actor)
    errors: dict[str, str] = {}
    values = {
        "title": _text(title, "title", rules.MAX_TITLE, errors, required=True),
        "description": _text(description, "description", rules.MAX_TEXT, errors),
        "required_action": _text(required_action, "required_action", rules.MAX_ACTION, errors),
        "instructions": _text(instructions, "instructions", rules.MAX_TEXT, errors),
    }
    days: dict[str, date | None] = {}
    for field, raw in (("valid_from", valid_from), ("valid_until", valid_until)):
        days[field] = None if raw in (None, "") else parse_day(raw)
        if raw not in (None, "") and days[field] is None:
            errors[field] = "field.date_invalid"
    if days["valid_from"] and days["valid_until"] and days["valid_until"] < days["valid_from"]:
        errors["valid_until"] = "voucher.until_before_from"
    if not isinstance(active, bool):
        errors["active"] = "field.choice_invalid"
    if errors:
        raise ValidationFailed(errors)
    if promotion_id in (0, None):
        row = Promotion(**values)
        session.add(row)
        before: dict[str, object] | None = None
    else:
        found = session.get(Promotion, record_id(promotion_id))
        if found is None:
            raise NotFound()
        row = found
        db.serialize_on(session, f"promotion:{row.id}")  # two admins editing: in turn
        session.refresh(row)
        before = _promotion_audited(row)
        for key, value in values.items():
            setattr(row, key, value)
    row.valid_from, row.valid_until, row.active = days["valid_from"], days["valid_until"], active
    session.flush()
    if before is None:
        audit.record(session, actor_id=admin.user_id, entity="promotion", entity_id=row.id or 0,
                     action="promotion_added", new=row.title)
    else:
        audit.record_changes(session, actor_id=admin.user_id, entity="promotion",
                             entity_id=row.id or 0, action="promotion_changed",
                             before=before, after=_promotion_audited(row))
    session.flush()
    return row.id or 0


def _promotion_audited(p: Promotion) -> dict[str, object]:
    return {"title": p.title, "description": p.description,
            "required action": p.required_action, "instructions": p.instructions,
            "valid from": p.valid_from or "-", "valid until": p.valid_until or "-",
            "active": p.active}


def save_variant(session: Session, *, actor: Actor | None, promotion_id: object,
                 variant_id: object, name: object, price: object, tax_rate: object = "0"
                 ) -> int:
    admin = require_admin(actor)
    promotion = session.get(Promotion, record_id(promotion_id))
    if promotion is None:
        raise NotFound()
    errors: dict[str, str] = {}
    label = _text(name, "name", rules.MAX_TITLE, errors, required=True)
    amount = parse_amount(price)
    if amount is None or amount <= 0:
        errors["price"] = "field.amount_invalid"
    rate = parse_amount(tax_rate, maximum=Decimal(100))
    if rate is None:
        errors["tax_rate"] = "field.rate_invalid"
    if errors or amount is None or rate is None:
        raise ValidationFailed(errors)
    if variant_id in (0, None):
        row = PromotionVariant(promotion_id=promotion.id or 0, name=label, price=amount,
                               tax_rate=rate)
        session.add(row)
        session.flush()
        audit.record(session, actor_id=admin.user_id, entity="promotion_variant",
                     entity_id=row.id or 0, action="variant_saved", new=f"{label} {amount}")
    else:
        # Reservations already bought keep their amounts (copied on the reservation and its
        # invoice): an edit applies to new purchases only.
        found = session.get(PromotionVariant, record_id(variant_id))
        if found is None or found.promotion_id != promotion.id or not found.active:
            raise NotFound()
        row = found
        db.serialize_on(session, f"promotion_variant:{row.id}")
        session.refresh(row)
        before = {"name": row.name, "price": row.price, "tax rate": row.tax_rate}
        row.name, row.price, row.tax_rate = label, amount, rate
        audit.record_changes(session, actor_id=admin.user_id, entity="promotion_variant",
                             entity_id=row.id or 0, action="variant_changed", before=before,
                             after={"name": row.name, "price": row.price,
                                    "tax rate": row.tax_rate})
    session.flush()
    return row.id or 0


def remove_variant(session: Session, *, actor: Actor | None, variant_id: object) -> None:
    """A variant is withdrawn, never deleted: reservations keep pointing at it."""
    admin = require_admin(actor)
    row = session.get(PromotionVariant, record_id(variant_id))
    if row is None or not row.active:
        raise NotFound()
    row.active = False
    audit.record(session, actor_id=admin.user_id, entity="promotion_variant",
                 entity_id=row.id or 0, action="variant_removed", old=row.name)
    session.flush()


# ---- storefront ----------------------------------------------------------------------------

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
    views = [_view(session, p) for p in rows if _on_offer(p, today)]
    return _in_language(session, [v for v in views if v.variants], lang)


def offer(session: Session, *, promotion_id: object, today: date, lang: str = ""
          ) -> PromotionView:
    p = session.get(Promotion, record_id(promotion_id))
    if p is None or not _on_offer(p, today):
        raise NotFound()
    return _in_language(session, [_view(session, p)], lang)[0]


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


def _voucher_view(session: Session, r: Reservation) -> VoucherView:
    promotion = session.get(Promotion, r.promotion_id)
    variant = session.get(PromotionVariant, r.variant_id)
    customer = session.get(User, r.customer_id)
    invoice = billing.invoice_for(session, ORDER_KIND, r.id or 0)
    pays = billing.payments_of(session, invoice.id or 0) if invoice else []
    return VoucherView(
        r.id or 0, r.code, customer.name if customer else "",
        customer.email if customer else "", r.promotion_id,
        promotion.title if promotion else "", r.variant_id, variant.name if variant else "",
        r.status, promotion.required_action if promotion else "",
        promotion.instructions if promotion else "", r.action_done_at, r.total, r.currency,
        invoice.number or "" if invoice else "", invoice.status if invoice else "",
        pays[-1].status if pays else "", r.notes, r.created_at, pays[-1].id if pays else 0)


def _vouchers_in(session: Session, views: list[VoucherView], lang: str) -> list[VoucherView]:
    """The views with promotion and variant names in `lang` where an admin gave them."""
    titles = localized.names(session, Entity.PROMOTION, [v.promotion_id for v in views], lang)
    names = localized.names(session, Entity.VARIANT, [v.variant_id for v in views], lang)
    return [replace(v, promotion=titles.get(v.promotion_id, v.promotion),
                    variant=names.get(v.variant_id, v.variant)) for v in views]


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
    return _vouchers_in(session, [_voucher_view(session, r)], lang)[0]


def my_vouchers(session: Session, *, actor: Actor | None, lang: str = "") -> list[VoucherView]:
    who = require_login(actor)
    rows = session.exec(select(Reservation).where(Reservation.customer_id == who.user_id)
                        .order_by(col(Reservation.id).desc()).limit(100)).all()
    return _vouchers_in(session, [_voucher_view(session, r) for r in rows], lang)


# ---- staff ---------------------------------------------------------------------------------

def _filtered(query, f: ReservationFilter):  # noqa: ANN001, ANN202
    """The filter in SQL (domain.vouchers.matches says the same for one reservation)."""
    if f.promotion_id is not None:
        query = query.where(Reservation.promotion_id == f.promotion_id)
    if f.variant_id is not None:
        query = query.where(Reservation.variant_id == f.variant_id)
    if f.action is rules.ActionFilter.DONE:
        query = query.where(col(Reservation.action_done_at).is_not(None))
    elif f.action is rules.ActionFilter.NOT_DONE:
        query = query.where(col(Reservation.action_done_at).is_(None))
    return query


def _rows_query(f: ReservationFilter, ids: list[int] | None = None):  # noqa: ANN202
    query = (select(Reservation.id, Reservation.code, User.name, User.email, Promotion.title,
                    PromotionVariant.name, Reservation.status, Reservation.action_done_at,
                    Reservation.created_at)
             .join(User, col(User.id) == Reservation.customer_id)
             .join(Promotion, col(Promotion.id) == Reservation.promotion_id)
             .join(PromotionVariant, col(PromotionVariant.id) == Reservation.variant_id))
    query = _filtered(query, f)
    if ids is not None:
        query = query.where(col(Reservation.id).in_(ids))
    return query


def reservations(session: Session, *, actor: Actor | None, f: ReservationFilter,
                 page: int = 1) -> tuple[list[ReservationRow], int]:
    """One page of the filtered list (newest first) and how many match in all."""
    require_staff(actor)
    total = session.exec(_filtered(select(func.count()).select_from(Reservation), f)).one()
    page = max(1, min(page, rules.page_count(total)))
    rows = session.exec(_rows_query(f).order_by(col(Reservation.id).desc())
                        .offset((page - 1) * rules.PAGE_SIZE).limit(rules.PAGE_SIZE)).all()
    return [ReservationRow(*r) for r in rows], int(total)


def filter_choices(session: Session, *, actor: Actor | None
                   ) -> list[tuple[int, str, list[tuple[int, str]]]]:
    """Promotions with all their variants (withdrawn ones too), for the filter selects."""
    require_staff(actor)
    variants: dict[int, list[tuple[int, str]]] = {}
    for v in session.exec(select(PromotionVariant).order_by(col(PromotionVariant.position),
                                                           col(PromotionVariant.id))).all():
        variants.setdefault(v.promotion_id, []).append((v.id or 0, v.name))
    return [(p.id or 0, p.title, variants.get(p.id or 0, []))
            for p in session.exec(select(Promotion).order_by(col(Promotion.id))).all()]


def reservation(session: Session, *, actor: Actor | None, reservation_id: object
                ) -> VoucherView:
    require_staff(actor)
    r = session.get(Reservation, record_id(reservation_id))
    if r is None:
        raise NotFound()
    return _voucher_view(session, r)


def set_action_done(session: Session, *, actor: Actor | None, reservation_id: object,
                    done: object, now: datetime | None = None) -> VoucherView:
    """"Required action completed", or its undo; both are in the audit trail."""
    staff = require_staff(actor)
    if not isinstance(done, bool):
        raise ValidationFailed({"done": "field.choice_invalid"})
    db.serialize_on(session, f"reservation:{record_id(reservation_id)}")
    r = session.get(Reservation, record_id(reservation_id))
    if r is None:
        raise NotFound()
    if r.status == ReservationStatus.CANCELLED.value:
        raise DomainError("voucher.already_cancelled")
    promotion = session.get(Promotion, r.promotion_id)
    if promotion is None or not promotion.required_action:
        raise DomainError("voucher.no_action")
    if (r.action_done_at is not None) != done:
        old = r.action_done_at.isoformat() if r.action_done_at else ""
        r.action_done_at = (now or utcnow()) if done else None
        r.action_done_by = staff.user_id if done else None
        audit.record(session, actor_id=staff.user_id, entity=ORDER_KIND, entity_id=r.id or 0,
                     action="action_done" if done else "action_undone", old=old,
                     new=r.action_done_at.isoformat() if r.action_done_at else "")
        session.flush()
    return _voucher_view(session, r)


def save_notes(session: Session, *, actor: Actor | None, reservation_id: object,
               notes: object) -> VoucherView:
    staff = require_staff(actor)
    r = session.get(Reservation, record_id(reservation_id))
    if r is None:
        raise NotFound()
    errors: dict[str, str] = {}
    text = _text(notes, "notes", 2000, errors)
    if errors:
        raise ValidationFailed(errors)
    old, r.notes = r.notes, text
    audit.record(session, actor_id=staff.user_id, entity=ORDER_KIND, entity_id=r.id or 0,
                 action="notes_changed", old=old, new=text)
    session.flush()
    return _voucher_view(session, r)


def cancel(session: Session, *, actor: Actor | None, reservation_id: object) -> VoucherView:
    """Customer service cancels a voucher, only while its required action is not done (then
    the customer must contact the business). Its unpaid invoice and open payments are
    voided; a paid one stays for a refund."""
    staff = require_staff(actor)
    db.serialize_on(session, f"reservation:{record_id(reservation_id)}")
    r = session.get(Reservation, record_id(reservation_id))
    if r is None:
        raise NotFound()
    rules.check_customer_service_cancel(ReservationStatus(r.status), r.action_done_at is not None)
    r.status = ReservationStatus.CANCELLED.value
    invoice = billing.invoice_for(session, ORDER_KIND, r.id or 0)
    if invoice is not None and invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED):
        invoice.status = InvoiceStatus.VOID.value
        for p in session.exec(select(Payment).where(  # Stripe's: released by the caller
                Payment.invoice_id == invoice.id, Payment.provider != "stripe",
                Payment.status == PaymentStatus.PENDING.value)).all():
            p.status = PaymentStatus.VOID.value
    audit.record(session, actor_id=staff.user_id, entity=ORDER_KIND, entity_id=r.id or 0,
                 action="reservation_cancelled", old=ReservationStatus.ACTIVE.value,
                 new=r.status)
    session.flush()
    return _voucher_view(session, r)


def approve_payment(session: Session, *, actor: Actor | None, reservation_id: object,
                    payment_id: object, now: datetime | None = None) -> VoucherView:
    """Admin approves the reservation's pending payment (manual provider): the invoice is
    issued and paid, and the customer is told by email."""
    require_staff(actor)
    r = session.get(Reservation, record_id(reservation_id))
    invoice = billing.invoice_for(session, ORDER_KIND, r.id or 0) if r else None
    if r is None or invoice is None or payment_id not in [
            p.id for p in billing.payments_of(session, invoice.id or 0)]:
        raise NotFound()
    invoice = billing.approve_payment(session, actor=actor, payment_id=payment_id, now=now)
    customer = session.get(User, r.customer_id)
    if customer is not None:
        outbox.record_email(session, to=customer.email, kind="voucher_payment_approved",
                            language=customer.language, name=customer.name, code=r.code,
                            invoice=invoice.number or "",
                            total=f"{invoice.total} {invoice.currency}")
    session.flush()
    return _voucher_view(session, r)


# ---- CSV export ----------------------------------------------------------------------------

def check_export(session: Session, *, actor: Actor | None) -> None:
    """Before the stream starts: only staff export."""
    require_staff(actor)


def export_caller(session: Session, *, actor: Actor | None) -> Actor:
    """The staff caller who may export (`check_export`), else DomainError."""
    check_export(session, actor=actor)
    assert actor is not None
    return actor


def export_rows(f: ReservationFilter, ids: list[int] | None = None,
                batch: int = EXPORT_BATCH) -> Iterator[tuple]:
    """Every matching reservation (only `ids` if given), oldest first, read `batch` rows at a
    time by id (keyset), each batch in its own short read: the export never holds more than
    one batch, however many rows match."""
    last = 0
    while True:
        with uow.read_session() as session:
            rows = session.exec(_rows_query(f, ids).where(col(Reservation.id) > last)
                                .order_by(col(Reservation.id)).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def export_csv(f: ReservationFilter, ids: list[int] | None, lang: str,
               batch: int = EXPORT_BATCH) -> Iterator[str]:
    """The CSV file, line by line: one row per reservation (voucher code, customer, email,
    promotion, variant, status, action done at, created at), UTF-8 with BOM, formula-safe."""
    from reserve_app.i18n import translate

    header = [translate(lang, key) for key in EXPORT_HEADER_KEYS]

    def cells() -> Iterator[list[object]]:
        for _id, code, name, email, promotion, variant, status, done_at, created in \
                export_rows(f, ids, batch):
            yield [code, name, email, promotion, variant,
                   translate(lang, f"voucher.status.{status}"),
                   done_at.isoformat(timespec="seconds") if done_at else "",
                   created.isoformat(timespec="seconds")]

    return rules.csv_lines(header, cells())
