"""Outbox delivery rules: the status table, retry back-off, giving up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from reserve_app.domain.errors import InvalidTransition
from reserve_app.domain.outbox import ALLOWED, MessageStatus, after_failure, retry_delay, transition

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_table_covers_every_status() -> None:
    assert set(ALLOWED) == set(MessageStatus)


def test_expected_transitions() -> None:
    allowed = {(a.value, b.value) for a, targets in ALLOWED.items() for b in targets}
    assert allowed == {("pending", "pending"), ("pending", "sent"), ("pending", "failed"),
                       ("failed", "pending")}


@pytest.mark.parametrize(("current", "new"), list(product(MessageStatus, repeat=2)))
def test_every_pair_of_the_table(current: MessageStatus, new: MessageStatus) -> None:
    if new in ALLOWED[current]:
        assert transition(current, new) is new
    else:
        with pytest.raises(InvalidTransition) as err:
            transition(current, new)
        assert err.value.params == {"current": current.value, "new": new.value}


def test_sent_is_final() -> None:
    assert ALLOWED[MessageStatus.SENT] == frozenset()


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(0, 30), (1, 30), (2, 60), (3, 120), (4, 240), (5, 480), (6, 960), (7, 1920), (8, 3600),
     (9, 3600), (50, 3600), (10_000, 3600)],
)
def test_retry_delay_doubles_up_to_an_hour(attempts: int, seconds: int) -> None:
    assert retry_delay(attempts) == timedelta(seconds=seconds)


def test_retry_delay_never_shrinks() -> None:
    delays = [retry_delay(n) for n in range(1, 30)]
    assert delays == sorted(delays)


@pytest.mark.parametrize("attempts", [1, 2, 4])
def test_after_failure_below_the_limit_retries_later(attempts: int) -> None:
    status, next_at = after_failure(attempts=attempts, max_attempts=5, now=NOW)
    assert status is MessageStatus.PENDING
    assert next_at == NOW + retry_delay(attempts)


@pytest.mark.parametrize(("attempts", "max_attempts"), [(5, 5), (6, 5), (1, 1)])
def test_after_failure_at_the_limit_gives_up(attempts: int, max_attempts: int) -> None:
    assert after_failure(attempts=attempts, max_attempts=max_attempts, now=NOW) == (
        MessageStatus.FAILED, None)
