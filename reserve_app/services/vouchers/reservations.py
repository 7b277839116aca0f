"""Staff "Reservations": the filtered list, one reservation, the required action marked done
(or undone), notes, cancelling a voucher, and approving its payment."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from reserve_app.domain import vouchers as rules
from reserve_app.domain.accounts import Actor, require_staff
from reserve_app.domain.billing import InvoiceStatus, PaymentStatus
from reserve_app.domain.errors import DomainError, NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.vouchers import ReservationFilter, ReservationStatus
from reserve_app.models import Payment, Promotion, PromotionVariant, Reservation, User
from reserve_app.models.base import utcnow
from reserve_app.services.billing import invoices as billing
from reserve_app.services.platform import audit, db, outbox
from reserve_app.services.vouchers.views import (
    ORDER_KIND,
    ReservationRow,
    VoucherView,
    voucher_view,
)

Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])

# One reservation as a list row (and a CSV line): id, code, customer name and email,
# promotion, variant, status, action done at, created at.
RowQuery = Select[int | None, str, str, str, str, str, str, datetime | None, datetime]


def filtered(query: Q, f: ReservationFilter) -> Q:
    """The filter in SQL (domain.vouchers.matches says the same for one reservation)."""
    if f.promotion_id is not None:
        query = query.where(col(Reservation.promotion_id) == f.promotion_id)
    if f.variant_id is not None:
        query = query.where(col(Reservation.variant_id) == f.variant_id)
    if f.action is rules.ActionFilter.DONE:
        query = query.where(col(Reservation.action_done_at).is_not(None))
    elif f.action is rules.ActionFilter.NOT_DONE:
        query = query.where(col(Reservation.action_done_at).is_(None))
    return query


def rows_query(f: ReservationFilter, ids: list[int] | None = None) -> RowQuery:
    query = (select_columns(col(Reservation.id), col(Reservation.code), col(User.name),
                            col(User.email), col(Promotion.title), col(PromotionVariant.name),
                            col(Reservation.status), col(Reservation.action_done_at),
                            col(Reservation.created_at))
             .join(User, col(User.id) == Reservation.customer_id)
             .join(Promotion, col(Promotion.id) == Reservation.promotion_id)
             .join(PromotionVariant, col(PromotionVariant.id) == Reservation.variant_id))
    query = filtered(query, f)
    if ids is not None:
        query = query.where(col(Reservation.id).in_(ids))
    return query


def reservations(session: Session, *, actor: Actor | None, f: ReservationFilter,
                 page: int = 1) -> tuple[list[ReservationRow], int]:
    """One page of the filtered list (newest first) and how many match in all."""
    require_staff(actor)
    total = session.exec(filtered(select(func.count()).select_from(Reservation), f)).one()
    page = max(1, min(page, rules.page_count(total)))
    rows = session.execute(rows_query(f).order_by(col(Reservation.id).desc())
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
    return voucher_view(session, r)


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
    rules.check_action_change(ReservationStatus(r.status))
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
    return voucher_view(session, r)


def save_notes(session: Session, *, actor: Actor | None, reservation_id: object,
               notes: object) -> VoucherView:
    staff = require_staff(actor)
    r = session.get(Reservation, record_id(reservation_id))
    if r is None:
        raise NotFound()
    errors: dict[str, str] = {}
    text = rules.clean_text(notes, "notes", 2000, errors)
    if errors:
        raise ValidationFailed(errors)
    old, r.notes = r.notes, text
    audit.record(session, actor_id=staff.user_id, entity=ORDER_KIND, entity_id=r.id or 0,
                 action="notes_changed", old=old, new=text)
    session.flush()
    return voucher_view(session, r)


def cancel(session: Session, *, actor: Actor | None, reservation_id: object) -> VoucherView:
    """Customer service cancels a voucher, only while its required action is not done (then
    the customer must contact the business). Its unpaid invoice and open payments are
    voided; a paid one stays for a refund. Card payments at Stripe are given up by
    billing.settle.cancel_and_release, after this."""
    staff = require_staff(actor)
    db.serialize_on(session, f"reservation:{record_id(reservation_id)}")
    r = session.get(Reservation, record_id(reservation_id))
    if r is None:
        raise NotFound()
    old = ReservationStatus(r.status)
    r.status = rules.check_customer_service_cancel(old, r.action_done_at is not None).value
    invoice = billing.invoice_for(session, ORDER_KIND, r.id or 0)
    if invoice is not None and invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED):
        invoice.status = InvoiceStatus.VOID.value
        for p in session.exec(select(Payment).where(  # Stripe's: released after the commit
                Payment.invoice_id == invoice.id, Payment.provider != "stripe",
                Payment.status == PaymentStatus.PENDING.value)).all():
            p.status = PaymentStatus.VOID.value
    audit.record(session, actor_id=staff.user_id, entity=ORDER_KIND, entity_id=r.id or 0,
                 action="reservation_cancelled", old=old.value, new=r.status)
    session.flush()
    return voucher_view(session, r)


def approve_payment(session: Session, *, actor: Actor | None, reservation_id: object,
                    payment_id: object, now: datetime | None = None) -> VoucherView:
    """Admin approves the reservation's pending payment (manual provider): the invoice is
    issued and paid, and the customer is told by email. (A card held at Stripe is captured
    there instead: billing.settle.capture_or_approve.)"""
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
    return voucher_view(session, r)
