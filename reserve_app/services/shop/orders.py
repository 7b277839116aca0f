"""Staff actions on an order: Accept, Cancel, Void, Complete, record a payment, mark items
delivered.

Every change runs under a lock on the order (`records.locked`), re-reads it and checks the
status table, so two staff members acting at once get one winner and one "changed
meanwhile" message. Changes write an audit row and live events in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from reserve_app.domain import shop as rules
from reserve_app.domain.accounts import Actor, require_staff
from reserve_app.domain.billing import InvoiceStatus, PaymentStatus
from reserve_app.domain.billing import invoice_transition as invoice_to
from reserve_app.domain.billing import payment_transition as payment_to
from reserve_app.domain.errors import DomainError, NotFound, ValidationFailed
from reserve_app.domain.ids import record_id
from reserve_app.domain.shop import OrderStatus, PaymentMethod
from reserve_app.models import Payment, ShopOrder, ShopOrderItem
from reserve_app.models.base import utcnow
from reserve_app.services.billing import invoices as billing
from reserve_app.services.platform import audit, db

from .ledgers import add_money, add_points, points_of
from .order_views import OrderView, views_of
from .records import ORDER, ORDER_KIND, announce, items_of, locked, return_stock


def _move(order: ShopOrder, new: OrderStatus) -> OrderStatus:
    """The status table, with a message that says what happened meanwhile."""
    current = OrderStatus(order.status)
    if new not in rules.ALLOWED[current]:
        raise DomainError(rules.CHANGED_MEANWHILE[current])
    order.status = rules.transition(current, new).value
    return current


def act(session: Session, *, actor: Actor | None, order_id: object, action: object,
        now: datetime | None = None) -> OrderView:
    """Accept, Cancel, Void or Complete an order."""
    staff = require_staff(actor)
    step = rules.parse_action(action)
    now = now or utcnow()
    order = locked(session, order_id)
    target = rules.ACTION_TARGET[step]
    old = OrderStatus(order.status)
    if target is OrderStatus.ACCEPTED or (target is OrderStatus.COMPLETED
                                          and old is OrderStatus.PENDING):
        _accept(session, order, staff, now)  # completing a pending order accepts it first
    if target is OrderStatus.COMPLETED:
        _complete(session, order, staff)
    elif target is OrderStatus.CANCELLED:
        _move(order, OrderStatus.CANCELLED)
        return_stock(session, order)
    elif target is OrderStatus.VOIDED:
        _move(order, OrderStatus.VOIDED)
        _void(session, order, staff)
    order.updated_at = now
    audit.record(session, actor_id=staff.user_id, entity=ORDER, entity_id=order.id or 0,
                 action=f"order_{step.value}", old=old.value, new=order.status)
    announce(session, order, "order_changed")
    session.flush()
    return views_of(session, [order])[0]


def _accept(session: Session, order: ShopOrder, staff: Actor, now: datetime) -> None:
    _move(order, OrderStatus.ACCEPTED)
    if order.points:
        db.serialize_on(session, f"shop:customer:{order.customer_id}")
        rules.check_points(points_of(session, order.customer_id), order.points)
        add_points(session, order, rules.on_accept(order.points), staff)
        order.points_spent = order.points
    if order.total > 0:
        invoice = billing.draft_invoice(session, order_kind=ORDER_KIND, order_id=order.id or 0,
                                        customer_id=order.customer_id, subtotal=order.subtotal,
                                        tax=order.tax, total=order.total,
                                        currency=order.currency)
        billing.issue(session, invoice, now=now)


def _complete(session: Session, order: ShopOrder, staff: Actor) -> None:
    _move(order, OrderStatus.COMPLETED)
    for item in items_of(session, order.id or 0):
        item.delivered = True
    entries = rules.on_complete(order.total, paid=order.paid)
    if entries:
        order.in_debt = True
        add_money(session, order, entries, staff)


def _void(session: Session, order: ShopOrder, staff: Actor) -> None:
    invoice = billing.invoice_for(session, ORDER_KIND, order.id or 0)
    refund = Decimal("0")
    if invoice is not None:
        for payment in session.exec(select(Payment)
                                    .where(col(Payment.invoice_id) == invoice.id)):
            status = PaymentStatus(payment.status)
            if status is not PaymentStatus.VOID:
                if payment.method == PaymentMethod.BALANCE and status is PaymentStatus.APPROVED:
                    refund += payment.amount
                payment.status = payment_to(status, PaymentStatus.VOID).value
        invoice.status = invoice_to(InvoiceStatus(invoice.status), InvoiceStatus.VOID).value
    add_points(session, order, rules.on_void(order.points_spent), staff)
    add_money(session, order, rules.on_refund(refund), staff)
    order.points_spent = 0
    return_stock(session, order)


def pay(session: Session, *, actor: Actor | None, order_id: object, method: object,
        now: datetime | None = None) -> OrderView:
    """Record the payment of an accepted or completed order; the method may change here."""
    staff = require_staff(actor)
    chosen = rules.parse_method(method, [m.value for m in PaymentMethod])
    now = now or utcnow()
    order = locked(session, order_id)
    status = OrderStatus(order.status)
    if not rules.can_pay(status, paid=order.paid, has_money=order.total > 0):
        raise DomainError("shop.order_paid" if order.paid else rules.CHANGED_MEANWHILE[status])
    invoice = billing.invoice_for(session, ORDER_KIND, order.id or 0)
    assert invoice is not None  # an accepted order with money to pay has an issued invoice
    add_money(session, order, rules.on_pay(order.total, chosen, in_debt=order.in_debt), staff)
    session.add(Payment(invoice_id=invoice.id or 0, provider="manual", method=chosen.value,
                        amount=invoice.total, status=PaymentStatus.APPROVED.value,
                        approved_at=now, approved_by=staff.user_id))
    invoice.status = invoice_to(InvoiceStatus(invoice.status), InvoiceStatus.PAID).value
    invoice.paid_at = now
    old_method = order.method
    order.method, order.paid, order.in_debt, order.updated_at = chosen.value, True, False, now
    audit.record(session, actor_id=staff.user_id, entity=ORDER, entity_id=order.id or 0,
                 action="order_paid", old=old_method, new=chosen.value,
                 note=invoice.number or "")
    announce(session, order, "order_changed")
    session.flush()
    return views_of(session, [order])[0]


def mark_delivered(session: Session, *, actor: Actor | None, order_id: object, item_id: object,
                   delivered: object) -> OrderView:
    staff = require_staff(actor)
    if not isinstance(delivered, bool):
        raise ValidationFailed({"delivered": "field.choice_invalid"})
    order = locked(session, order_id)
    item = session.get(ShopOrderItem, record_id(item_id))
    if item is None or item.order_id != order.id:
        raise NotFound()
    if OrderStatus(order.status) not in rules.OPEN:
        raise DomainError(rules.CHANGED_MEANWHILE[OrderStatus(order.status)])
    item.delivered = delivered
    order.updated_at = utcnow()
    audit.record(session, actor_id=staff.user_id, entity=ORDER, entity_id=order.id or 0,
                 action="item_delivered" if delivered else "item_undelivered", new=item.name)
    announce(session, order, "order_changed")
    session.flush()
    return views_of(session, [order])[0]
