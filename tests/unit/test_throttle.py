"""Login throttle: when an account with recent failures may try again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reserve_app.domain.throttle import locked_until

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def locked(failures: list[datetime], now: datetime = NOW, max_failures: int = 5):  # noqa: ANN201
    return locked_until(failures, now=now, max_failures=max_failures, window=WINDOW)


def test_no_failures_is_open() -> None:
    assert locked([]) is None


def test_below_the_limit_is_open() -> None:
    assert locked([ago(minutes=m) for m in range(4)]) is None


def test_at_the_limit_locks_until_the_oldest_leaves_the_window() -> None:
    failures = [ago(minutes=m) for m in (10, 8, 6, 4, 2)]
    assert locked(failures) == ago(minutes=10) + WINDOW


def test_above_the_limit_counts_from_the_oldest_of_the_last_n() -> None:
    failures = [ago(minutes=m) for m in (14, 12, 10, 8, 6, 4, 2)]
    assert locked(failures) == ago(minutes=10) + WINDOW


def test_order_of_failures_does_not_matter() -> None:
    failures = [ago(minutes=m) for m in (2, 10, 6, 8, 4)]
    assert locked(failures) == ago(minutes=10) + WINDOW


def test_the_window_start_is_exclusive_and_now_is_inclusive() -> None:
    four_recent = [ago(minutes=m) for m in (4, 3, 2, 1)]
    assert locked([NOW - WINDOW, *four_recent]) is None
    assert locked([NOW - WINDOW + timedelta(microseconds=1), *four_recent]) == (
        NOW + timedelta(microseconds=1))
    assert locked([NOW, *four_recent]) == ago(minutes=4) + WINDOW


def test_failures_in_the_future_are_ignored() -> None:
    assert locked([NOW + timedelta(seconds=1)] * 5) is None


def test_old_failures_do_not_count() -> None:
    assert locked([ago(minutes=20)] * 10 + [ago(minutes=1)] * 4) is None


def test_unlocks_exactly_at_the_returned_time() -> None:
    failures = [ago(minutes=m) for m in (9, 7, 5, 3, 1)]
    until = locked(failures)
    assert until is not None
    assert locked(failures, now=until - timedelta(microseconds=1)) == until
    assert locked(failures, now=until) is None


@pytest.mark.parametrize("limit", [1, 3, 10])
def test_the_limit_is_configurable(limit: int) -> None:
    failures = [ago(seconds=s) for s in range(limit)]
    assert locked(failures[:-1], max_failures=limit) is None
    assert locked(failures, max_failures=limit) == ago(seconds=limit - 1) + WINDOW
