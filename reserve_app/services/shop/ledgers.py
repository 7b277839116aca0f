"""A customer's two ledgers, money balance and points: the entries an order writes, the
sums, the account pages (own or, for staff, any customer's) and an admin's corrections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, func, select

from reserve_app.domain import shop as rules
from reserve_app.domain.accounts import Actor, Role, require_admin, require_login, require_staff
from reserve_app.domain.errors import DomainError, NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.money import q
from reserve_app.models import BalanceEntry, PointsEntry, ShopOrder, User
from reserve_app.services.platform import audit, db, live
from reserve_app.settings import get_settings


@dataclass(frozen=True)
class EntryView:
    at: datetime
    amount: str             # signed; money as "-12.50", points as "-30"
    reason: str
    order_id: int | None
    note: str


@dataclass(frozen=True)
class AccountView:
    customer_id: int
    name: str
    email: str
    balance: Decimal
    points: int
    currency: str
    balance_entries: list[EntryView]
    points_entries: list[EntryView]


@dataclass(frozen=True)
class CustomerLine:
    id: int
    name: str
    email: str
    balance: Decimal
    points: int


def add_money(session: Session, order: ShopOrder, entries: list[rules.Entry],
              staff: Actor) -> None:
    """An order's entries in the customer's money ledger."""
    session.add_all(BalanceEntry(customer_id=order.customer_id, amount=Decimal(e.amount),
                                 reason=e.reason.value, order_id=order.id,
                                 actor_id=staff.user_id) for e in entries)


def add_points(session: Session, order: ShopOrder, entries: list[rules.Entry],
               staff: Actor) -> None:
    """An order's entries in the customer's points ledger."""
    session.add_all(PointsEntry(customer_id=order.customer_id, points=int(e.amount),
                                reason=e.reason.value, order_id=order.id,
                                actor_id=staff.user_id) for e in entries)


def points_of(session: Session, customer_id: int) -> int:
    return int(session.exec(select(func.coalesce(func.sum(PointsEntry.points), 0))
                            .where(col(PointsEntry.customer_id) == customer_id)).one())


def balance_of(session: Session, customer_id: int) -> Decimal:
    return _balances(session, {customer_id}).get(customer_id, Decimal("0.00"))


def _balances(session: Session, customer_ids: set[int]) -> dict[int, Decimal]:
    rows = session.exec(select(BalanceEntry.customer_id, func.sum(BalanceEntry.amount))
                        .where(col(BalanceEntry.customer_id).in_(customer_ids))
                        .group_by(col(BalanceEntry.customer_id))).all()
    return {cid: q(Decimal(total)) for cid, total in rows}


def account(session: Session, *, actor: Actor | None, customer_id: object = None
            ) -> AccountView:
    """Balance and points with their ledgers: the caller's own, or any customer's for staff."""
    who = require_login(actor)
    cid = who.user_id if customer_id is None else record_id(customer_id)
    if cid != who.user_id:
        require_staff(who)
    user = session.get(User, cid)
    if user is None or (cid != who.user_id and user.role != Role.CUSTOMER):
        raise NotFound()
    money = session.exec(select(BalanceEntry).where(col(BalanceEntry.customer_id) == cid)
                         .order_by(col(BalanceEntry.id).desc()).limit(100)).all()
    points = session.exec(select(PointsEntry).where(col(PointsEntry.customer_id) == cid)
                          .order_by(col(PointsEntry.id).desc()).limit(100)).all()
    return AccountView(
        cid, user.name, user.email, balance_of(session, cid), points_of(session, cid),
        get_settings().currency,
        [EntryView(e.at, f"{e.amount:+.2f}", e.reason, e.order_id, e.note) for e in money],
        [EntryView(e.at, f"{e.points:+d}", e.reason, e.order_id, e.note) for e in points])


def customers(session: Session, *, actor: Actor | None, search: object = "",
              limit: int = 50) -> list[CustomerLine]:
    require_staff(actor)
    text = search.strip()[:100] if isinstance(search, str) else ""
    query = (select(User).where(col(User.role) == Role.CUSTOMER.value)
             .order_by(col(User.name)).limit(limit))
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        query = query.where(func.lower(User.name).like(pattern, escape="\\")
                            | func.lower(User.email).like(pattern, escape="\\"))
    users = session.exec(query).all()
    ids = {u.id or 0 for u in users}
    balances = _balances(session, ids)
    points = dict(session.exec(select(PointsEntry.customer_id, func.sum(PointsEntry.points))
                               .where(col(PointsEntry.customer_id).in_(ids))
                               .group_by(col(PointsEntry.customer_id))).all())
    return [CustomerLine(u.id or 0, u.name, u.email, balances.get(u.id or 0, Decimal("0.00")),
                         int(points.get(u.id or 0, 0))) for u in users]


def adjust(session: Session, *, actor: Actor | None, customer_id: object, ledger: object,
           amount: object, note: object) -> AccountView:
    """An admin's correction of a customer's balance or points, always with a reason."""
    admin = require_admin(actor)
    if ledger not in ("money", "points"):
        raise ValidationFailed({"ledger": "field.choice_invalid"})
    value = rules.parse_adjustment(amount, points=ledger == "points")
    reason = rules.clean_note(note)
    if not reason:
        raise ValidationFailed({"note": "field.required"})
    user = session.get(User, record_id(customer_id))
    if user is None or user.role != Role.CUSTOMER:
        raise NotFound()
    if ledger == "points":
        db.serialize_on(session, f"shop:customer:{user.id}")
        if points_of(session, user.id or 0) + int(value) < 0:
            raise DomainError("shop.points_below_zero")
        session.add(PointsEntry(customer_id=user.id or 0, points=int(value),
                                reason=rules.LedgerReason.ADJUSTMENT.value, note=reason,
                                actor_id=admin.user_id))
    else:
        session.add(BalanceEntry(customer_id=user.id or 0, amount=Decimal(value),
                                 reason=rules.LedgerReason.ADJUSTMENT.value, note=reason,
                                 actor_id=admin.user_id))
    audit.record(session, actor_id=admin.user_id, entity="customer_account",
                 entity_id=user.id or 0, action=f"{ledger}_adjusted", new=value, note=reason)
    live.record(session, topic=live.customer_topic(user.id or 0), kind="account")
    session.flush()
    return account(session, actor=admin, customer_id=user.id)
