"""Ordering keys: fractional indexing (the ``fractional-indexing`` library). A key can always
be made between two others, so placing an item writes that item alone and never renumbers
its siblings. Keys are ASCII and sort as bytes (the database compares them in collation "C")."""

from __future__ import annotations

import fractional_indexing  # type: ignore[import-untyped]  # no type information shipped


def key_between(before: str | None, after: str | None) -> str:
    """A key greater than ``before`` and less than ``after`` (None: no bound on that side)."""
    key: str = fractional_indexing.generate_key_between(before, after)
    return key


def keys_after(last: str | None, count: int) -> list[str]:
    """``count`` increasing keys after ``last``: items appended in one go."""
    keys: list[str] = fractional_indexing.generate_n_keys_between(last, None, count)
    return keys
