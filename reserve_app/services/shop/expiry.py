"""Shop orders nobody accepted: after `SHOP_ORDER_HOLD_HOURS` a pending order is cancelled
as staff "Cancel" would (its stock given back, an audit row, live events), without a person.

Under the order's lock (`records.locked`, the lock every staff action takes) the order is
read again: one a staff member accepted or cancelled meanwhile is left alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from reserve_app.domain import holds
from reserve_app.domain import shop as rules
from reserve_app.domain.shop import OrderStatus
from reserve_app.models import ShopOrder
from reserve_app.models.base import utcnow
from reserve_app.services.platform import audit
from reserve_app.settings import get_settings

from .records import ORDER, announce, locked, return_stock


def due(session: Session, *, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Ids of pending orders older than SHOP_ORDER_HOLD_HOURS (checked again under lock)."""
    cutoff = holds.cutoff(now or utcnow(), get_settings().shop_order_hold_hours)
    if cutoff is None:
        return []
    return [i for i in session.exec(select(ShopOrder.id).where(
        col(ShopOrder.status) == OrderStatus.PENDING.value,
        col(ShopOrder.created_at) <= cutoff).order_by(col(ShopOrder.id)).limit(limit))
        if i is not None]


def expire_order(session: Session, *, order_id: int, now: datetime | None = None) -> bool:
    """Cancel the order if it is still pending past its hold; True if it was."""
    now = now or utcnow()
    order = locked(session, order_id)
    hours = get_settings().shop_order_hold_hours
    old = OrderStatus(order.status)
    if old is not OrderStatus.PENDING or not holds.expired(order.created_at, now, hours):
        return False
    order.status = rules.transition(old, OrderStatus.CANCELLED).value
    return_stock(session, order)
    order.updated_at = now
    audit.record(session, actor_id=None, entity=ORDER, entity_id=order.id or 0,
                 action="order_expired", old=old.value, new=order.status,
                 note=f"not accepted within {hours} h")
    announce(session, order, "order_changed")
    session.flush()
    return True
