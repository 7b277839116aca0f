"""The dispatcher's bookkeeping: which known events can be pushed without reading the
database, and the announcement other workers send over Redis."""

from __future__ import annotations

import pytest

from reserve_app.live.dispatcher import _decode, _encode, _next_in_line
from reserve_app.services.platform.live import LiveView


def view(i: int, topic: str = "staff:orders") -> LiveView:
    return LiveView(i, topic, "order_new", i * 10)


def test_events_exactly_after_the_last_pushed_need_no_read() -> None:
    assert _next_in_line([view(12), view(11)], 10) == [view(11), view(12)]


@pytest.mark.parametrize("ids", [[], [12], [11, 13], [9, 11], [10, 11]])
def test_a_gap_or_an_old_event_means_reading_the_database(ids: list[int]) -> None:
    # A gap: a transaction that took an earlier id may not have committed yet (PostgreSQL),
    # or another worker's announcement was lost; the dispatcher reads the table then.
    assert _next_in_line([view(i) for i in ids], 10) is None


def test_an_announcement_carries_the_events_unchanged() -> None:
    views = [view(5), view(6, "customer:7")]
    assert _decode(_encode(views)) == views
    assert _decode(_encode(views).encode()) == views   # redis hands over bytes


@pytest.mark.parametrize("data", [
    None, b"", "1", "not json", "{}", '[[1, "t", "k"]]', '[["1", "t", "k", 0]]',
    '[[1, null, "k", 0]]', '[1, 2]',
])
def test_a_malformed_announcement_yields_nothing(data: object) -> None:
    assert _decode(data) == []
