"""Admin "Promotions": promotions and their variants (a variant is withdrawn, never deleted)."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, col, select

from reserve_app.domain import vouchers as rules
from reserve_app.domain.accounts import Actor, require_admin, require_staff
from reserve_app.domain.errors import NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.money import parse_amount
from reserve_app.domain.periods import parse_day
from reserve_app.models import Promotion, PromotionVariant
from reserve_app.services.platform import audit, db
from reserve_app.services.vouchers.views import PromotionView, promotion_view


def all_promotions(session: Session, *, actor: Actor | None) -> list[PromotionView]:
    require_staff(actor)
    rows = session.exec(select(Promotion).order_by(col(Promotion.id))).all()
    return [promotion_view(session, p) for p in rows]


def save_promotion(session: Session, *, actor: Actor | None, promotion_id: object,
                   title: object, description: object = "", required_action: object = "",
                   instructions: object = "", valid_from: object = "", valid_until: object = "",
                   active: object = True) -> int:
    """Add (`promotion_id` 0) or change a promotion."""
    admin = require_admin(actor)
    errors: dict[str, str] = {}
    values = {
        "title": rules.clean_text(title, "title", rules.MAX_TITLE, errors, required=True),
        "description": rules.clean_text(description, "description", rules.MAX_TEXT, errors),
        "required_action": rules.clean_text(required_action, "required_action",
                                            rules.MAX_ACTION, errors),
        "instructions": rules.clean_text(instructions, "instructions", rules.MAX_TEXT, errors),
    }
    start, end = parse_day(valid_from), parse_day(valid_until)
    for field, raw, day in (("valid_from", valid_from, start), ("valid_until", valid_until, end)):
        if raw not in (None, "") and day is None:
            errors[field] = "field.date_invalid"
    if start and end and end < start:
        errors["valid_until"] = "voucher.until_before_from"
    on = active if isinstance(active, bool) else None
    if on is None:
        errors["active"] = "field.choice_invalid"
    if errors or on is None:
        raise ValidationFailed(errors)
    if promotion_id in (0, None):
        row = Promotion(title=values["title"], description=values["description"],
                        required_action=values["required_action"],
                        instructions=values["instructions"])
        session.add(row)
        before: dict[str, object] | None = None
    else:
        row = db.locked(session, Promotion, promotion_id, "promotion")  # two admins: in turn
        before = _promotion_audited(row)
        for key, value in values.items():
            setattr(row, key, value)
    row.valid_from, row.valid_until, row.active = start, end, on
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
    label = rules.clean_text(name, "name", rules.MAX_TITLE, errors, required=True)
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
