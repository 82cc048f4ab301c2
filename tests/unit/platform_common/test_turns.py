"""Turns: one transaction of a process at a time per key, in arrival order, and nothing left
behind by a waiter that gave up."""

from __future__ import annotations

import asyncio

import pytest

from platform_common.db.turns import Turns


async def test_one_holder_at_a_time_in_arrival_order() -> None:
    turns, order = Turns(), []

    async def writer(name: str) -> None:
        await turns.acquire("owner")
        order.append(f"{name} in")
        await asyncio.sleep(0)  # a round trip while holding it
        order.append(f"{name} out")
        turns.release("owner")

    await asyncio.gather(*(writer(name) for name in "abc"))
    assert order == ["a in", "a out", "b in", "b out", "c in", "c out"]
    assert len(turns) == 0


async def test_other_keys_do_not_wait() -> None:
    turns = Turns()
    await turns.acquire("owner-1")
    await asyncio.wait_for(turns.acquire("owner-2"), timeout=1)
    assert len(turns) == 2
    turns.release("owner-1")
    turns.release("owner-2")
    assert len(turns) == 0


async def test_a_cancelled_waiter_leaves_nothing_behind() -> None:
    turns = Turns()
    await turns.acquire("owner")
    waiter = asyncio.create_task(turns.acquire("owner"))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    turns.release("owner")
    assert len(turns) == 0
    await asyncio.wait_for(turns.acquire("owner"), timeout=1)  # free again
