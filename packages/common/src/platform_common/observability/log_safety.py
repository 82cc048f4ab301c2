"""Client-supplied strings are cut to a bounded length before they are logged."""

from __future__ import annotations

MAX_LOGGED_CHARS = 1024


def bounded(value: str, limit: int = MAX_LOGGED_CHARS) -> str:
    if len(value) <= limit:
        return value
    return f"{value[:limit]}…[truncated {len(value) - limit} chars]"
