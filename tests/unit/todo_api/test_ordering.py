"""Ordering keys: a key always fits between two others, without renumbering."""

from __future__ import annotations

from todo_api.services.ordering import jittered_key_after, key_between, keys_after


def test_1000_alternating_inserts_at_one_spot_stay_ordered_and_short() -> None:
    """Each new key goes into the same, ever smaller gap, alternately right after the lower
    neighbour and right before the upper one: the worst case for key length."""
    low, high = key_between(None, None), None
    high = key_between(low, None)
    keys = [low, high]
    for i in range(1000):
        key = key_between(low, high)
        assert low < key < high
        keys.append(key)
        if i % 2:
            low = key
        else:
            high = key
    assert len(set(keys)) == len(keys)
    # About one character per log2(62) halvings of the gap: linear, and small for 1,000.
    assert max(len(key) for key in keys) <= 1000 // 5


def test_appending_uses_short_keys() -> None:
    keys = keys_after(None, 1000)
    assert keys == sorted(keys)
    assert max(len(key) for key in keys) <= 3


def test_jittered_keys_append_and_stay_valid_keys() -> None:
    last = key_between(None, None)
    keys = {jittered_key_after(last) for _ in range(100)}
    assert len(keys) == 100
    for key in keys:
        assert key > last
        assert last < key_between(last, key) < key < key_between(key, None)  # the library accepts it
