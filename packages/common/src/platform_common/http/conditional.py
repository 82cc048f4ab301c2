"""Conditional requests (RFC 9110 section 13.1): entity-tag lists and their two comparisons.

``If-Match`` protects a write, so it compares strongly: a weak validator (``W/"1"``) says
only that two representations are equivalent, not identical, and never lets a write
through (13.1.1). ``If-None-Match`` only spares a transfer, so it compares weakly: ``W/"1"``
and ``"1"`` match (13.1.2), as caches and browsers that weaken validators expect.
"""

from __future__ import annotations

import re

# An entity-tag: an optional weakness indicator, then an opaque tag in double quotes; and a
# list of them (commas, with optional whitespace and empty elements, RFC 9110 5.6.1).
_ENTITY_TAG = re.compile(r'(W/)?"([^"]*)"')
_ENTITY_TAG_LIST = re.compile(r'[ \t,]*(?:(?:W/)?"[^"]*"[ \t]*(?:,[ \t,]*|$))*')


def _tags(header: str) -> list[tuple[bool, str]]:
    """``(weak, opaque-tag)`` of each entity-tag in a list such as ``"1", W/"2"``; none when
    the header is not such a list (it then matches nothing)."""
    if _ENTITY_TAG_LIST.fullmatch(header) is None:
        return []
    return [(weak == "W/", opaque) for weak, opaque in _ENTITY_TAG.findall(header)]


def _opaque(etag: str) -> str:
    [(_, opaque)] = _tags(etag)
    return opaque


def if_match_passes(header: str, etag: str) -> bool:
    """Whether a write conditioned on ``If-Match: header`` may go ahead against a resource
    whose current strong ETag is ``etag``: ``*``, or a strong tag of the list equal to it."""
    if header.strip() == "*":
        return True
    current = _opaque(etag)
    return any(not weak and opaque == current for weak, opaque in _tags(header))


def if_none_match_matches(header: str, etag: str) -> bool:
    """Whether ``If-None-Match: header`` names the current representation (then a GET
    answers 304): ``*``, or any tag of the list, weak or strong, with the same opaque tag."""
    if header.strip() == "*":
        return True
    current = _opaque(etag)
    return any(opaque == current for _, opaque in _tags(header))
