"""Shop order cards: every status has its badge colour and label, every payment state its
label, in every language; what a card shows comes from the read model (no status strings)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from reserve_app.domain.shop import OrderPayment, OrderStatus, actions_for
from reserve_app.i18n import CATALOGS
from reserve_app.presenters.shop import order_card
from reserve_app.presenters.status import COLOURS
from reserve_app.services.shop import ItemView, OrderView

STATUS_COLORS = COLOURS[OrderStatus]

RADIX_COLORS = {"amber", "blue", "green", "gray", "red", "purple"}


def test_every_status_has_a_badge_colour() -> None:
    assert set(STATUS_COLORS) == set(OrderStatus)
    assert set(STATUS_COLORS.values()) <= RADIX_COLORS


@pytest.mark.parametrize("lang", sorted(CATALOGS))
def test_every_status_and_payment_has_a_label(lang: str) -> None:
    catalog = CATALOGS[lang]
    assert {f"shop.status.{s.value}" for s in OrderStatus} <= set(catalog)
    assert {f"shop.payment.{p.value}" for p in OrderPayment} <= set(catalog)


def view(status: OrderStatus, *, paid: bool = False, in_debt: bool = False,
         total: str = "5.00") -> OrderView:
    money = Decimal(total)
    return OrderView(
        7, 3, "Cleo", status.value, "cash", "", money, Decimal("0"), money, 0, "EUR", paid,
        in_debt, "", datetime(2030, 1, 2, 10, 0, tzinfo=UTC),
        [ItemView(1, "Cola", "product", 2, "money", Decimal("2.50"), 0, False)],
        actions_for(status, paid=paid, has_money=money > 0), Decimal("0.00"))


@pytest.mark.parametrize("status", list(OrderStatus))
def test_a_card_shows_the_status_label_and_colour(status: OrderStatus) -> None:
    card = order_card(view(status), "en", "UTC")
    assert card.status_color == STATUS_COLORS[status]
    assert card.status_label == CATALOGS["en"][f"shop.status.{status.value}"]
    assert card.actions == actions_for(status, paid=False, has_money=True)


@pytest.mark.parametrize(("paid", "in_debt", "total", "payment"), [
    (True, False, "5.00", OrderPayment.PAID), (False, True, "5.00", OrderPayment.DEBT),
    (False, False, "5.00", OrderPayment.UNPAID), (False, False, "0", OrderPayment.POINTS_ONLY),
])
def test_a_card_says_where_the_money_stands(paid: bool, in_debt: bool, total: str,
                                            payment: OrderPayment) -> None:
    card = order_card(view(OrderStatus.COMPLETED, paid=paid, in_debt=in_debt, total=total),
                      "en", "UTC")
    assert card.payment_label == CATALOGS["en"][f"shop.payment.{payment.value}"]
