"""Retries on 429 and 503 that honour ``Retry-After``, as httpx transports (sync and async).

A 429 was refused before any work, so any request may be repeated. A 503 may come from a
request that got part of the way, so only a repeatable one is: an idempotent method, or a
request that carries an ``Idempotency-Key`` (the server answers a repeat with the first
response). The wait is the server's ``Retry-After`` (seconds or an HTTP date); without it,
exponential backoff. A wait longer than ``max_delay`` is not waited out: the response is
returned to the caller, who knows better whether to wait that long.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

RETRY_STATUSES = frozenset({429, 503})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # in all, the first one included
    max_delay: float = 30.0  # seconds; a longer Retry-After is returned to the caller
    backoff: float = 0.5  # first wait without Retry-After, doubled each time
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    async_sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)

    def delay(self, request: httpx.Request, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before repeating ``request`` after ``response`` (the ``attempt``-th,
        from 1), or None when it must not be repeated."""
        if attempt >= self.attempts or response.status_code not in RETRY_STATUSES:
            return None
        if response.status_code == 503 and not repeatable(request):
            return None
        wait = retry_after(response.headers.get("Retry-After"))
        if wait is None:
            wait = self.backoff * 2 ** (attempt - 1)
        return wait if wait <= self.max_delay else None


def repeatable(request: httpx.Request) -> bool:
    return request.method in IDEMPOTENT_METHODS or "Idempotency-Key" in request.headers


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryTransport(httpx.BaseTransport):
    def __init__(self, policy: RetryPolicy | None = None, inner: httpx.BaseTransport | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 1
        while True:
            response = self.inner.handle_request(request)
            wait = self.policy.delay(request, response, attempt)
            if wait is None:
                return response
            response.close()
            self.policy.sleep(wait)
            attempt += 1

    def close(self) -> None:
        self.inner.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    def __init__(
        self, policy: RetryPolicy | None = None, inner: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 1
        while True:
            response = await self.inner.handle_async_request(request)
            wait = self.policy.delay(request, response, attempt)
            if wait is None:
                return response
            await response.aclose()
            await self.policy.async_sleep(wait)
            attempt += 1

    async def aclose(self) -> None:
        await self.inner.aclose()
