"""Ordering keys: fractional indexing (the ``fractional-indexing`` library). A key can always
be made between two others, so placing an item writes that item alone and never renumbers
its siblings. Keys are ASCII and sort as bytes (the database compares them in collation "C")."""

from __future__ import annotations

import secrets

import fractional_indexing  # type: ignore[import-untyped]  # no type information shipped

JITTER_DIGITS = 4
_DIGITS: str = fractional_indexing.BASE_62_DIGITS


def key_between(before: str | None, after: str | None) -> str:
    """A key greater than ``before`` and less than ``after`` (None: no bound on that side)."""
    key: str = fractional_indexing.generate_key_between(before, after)
    return key


def jittered_key_after(last: str | None) -> str:
    """A key after ``last`` with random fractional digits: writers that append to one list
    at once without a lock (each read the same ``last``) almost never make the same key
    (62^-4 for two), and a unique index turns that rare case into a retry."""
    tail = "".join(secrets.choice(_DIGITS) for _ in range(JITTER_DIGITS - 1))
    # A key's fractional part must not end in "0" (the zero digit would be redundant).
    return key_between(last, None) + tail + secrets.choice(_DIGITS[1:])


def keys_after(last: str | None, count: int) -> list[str]:
    """``count`` increasing keys after ``last``: items appended in one go."""
    keys: list[str] = fractional_indexing.generate_n_keys_between(last, None, count)
    return keys
