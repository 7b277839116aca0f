"""domain.holds: the hoarding limits and when an unpaid hold expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reserve_app.domain import holds
from reserve_app.domain.errors import DomainError

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def test_the_limit_refuses_only_past_it_and_zero_means_none() -> None:
    holds.check_limit(2, 3, key="rental.too_many_unpaid")
    with pytest.raises(DomainError) as err:
        holds.check_limit(3, 3, key="rental.too_many_unpaid")
    assert (err.value.key, err.value.params) == ("rental.too_many_unpaid", {"limit": 3})
    holds.check_limit(10_000, 0, key="rental.too_many_unpaid")


@pytest.mark.parametrize(("age", "hours", "expired"), [
    (timedelta(hours=47, minutes=59), 48, False), (timedelta(hours=48), 48, True),
    (timedelta(days=999), 0, False), (timedelta(0), 1, False),
])
def test_a_hold_expires_after_its_hours(age: timedelta, hours: int, expired: bool) -> None:
    assert holds.expired(NOW - age, NOW, hours) is expired
    assert holds.cutoff(NOW, hours) == (NOW - timedelta(hours=hours) if hours else None)


@pytest.mark.parametrize(("payments", "invoice", "unpaid"), [
    ([], None, True), (["pending"], "draft", True), (["void", "pending"], "draft", True),
    (["authorised"], "draft", False), (["approved"], "paid", False), ([], "paid", False),
    (["refunded"], "void", False),
])
def test_unpaid_means_no_money_taken_or_held(payments: list[str], invoice: str | None,
                                             unpaid: bool) -> None:
    assert holds.unpaid(payments, invoice) is unpaid
