"""The live dispatcher's shared reads: one load per key per round, shared by every tab."""

from __future__ import annotations

import asyncio

import pytest

from reserve_app.live import Batch


async def test_fifty_tabs_asking_for_the_same_key_share_one_load() -> None:
    batch, calls = Batch(), []

    async def load() -> list[int]:
        calls.append(1)
        await asyncio.sleep(0.01)
        return [1, 2, 3]

    results = await asyncio.gather(*(batch.once("orders", load) for _ in range(50)))
    assert calls == [1]
    assert all(r == [1, 2, 3] for r in results)


async def test_different_keys_load_separately() -> None:
    batch = Batch()

    async def value(v: str) -> str:
        return v

    assert await batch.once(("actor", "a"), lambda: value("A")) == "A"
    assert await batch.once(("actor", "b"), lambda: value("B")) == "B"
    assert await batch.once(("actor", "a"), lambda: value("changed")) == "A"


async def test_a_failed_load_fails_every_waiter_and_is_not_retried_in_the_round() -> None:
    batch, calls = Batch(), []

    async def broken() -> None:
        calls.append(1)
        await asyncio.sleep(0.01)
        raise RuntimeError("database went away")

    results = await asyncio.gather(*(batch.once("orders", broken) for _ in range(5)),
                                   return_exceptions=True)
    assert calls == [1]
    assert all(isinstance(r, RuntimeError) for r in results)
    with pytest.raises(RuntimeError):
        await batch.once("orders", broken)
