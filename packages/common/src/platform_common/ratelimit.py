"""Rate limiting on slowapi's ``Limiter`` (storage, strategy, key prefix), checked from
FastAPI dependencies.

Why dependencies and not slowapi's decorators: the keys here are values FastAPI knows only
after other dependencies ran (the verified token's ``tid:sub``, the login form's account),
one route needs a fail-closed policy while the rest fail open, and headers must reach
responses that return plain models. So the limiter's ``limits`` strategy is called
directly, one policy at a time, and the most restrictive outcome is reported in
``X-RateLimit-*`` headers.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import anyio
import structlog
from limits import RateLimitItem, parse
from prometheus_client import Counter
from slowapi import Limiter
from starlette.responses import Response

from platform_common.errors import ServiceUnavailable, TooManyRequests
from platform_common.observability.security_metrics import RateLimitScope, record_rate_limit_rejection

logger = structlog.get_logger(__name__)

STORAGE_ERRORS = Counter(
    "rate_limit_storage_errors_total", "Rate-limit checks that could not reach their storage."
)
_STORAGE_TIMEOUT_SECONDS = 0.25  # a slow Redis must not hold requests


@dataclass(frozen=True)
class Policy:
    """One limit: ``name`` keys the counters, ``scope`` labels the rejection metric."""

    name: str
    limit: RateLimitItem
    scope: RateLimitScope
    fail_closed: bool = False

    @classmethod
    def of(cls, name: str, limit: str, scope: RateLimitScope, *, fail_closed: bool = False) -> Policy:
        return cls(name, parse(limit), scope, fail_closed)


@dataclass(frozen=True)
class Window:
    limit: int
    remaining: int
    reset_at: float

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.remaining, 0)),
            "X-RateLimit-Reset": str(max(math.ceil(self.reset_at - time.time()), 0)),
        }


class RateLimiter:
    def __init__(
        self, *, storage_uri: str, enabled: bool = True, fail_open: bool = True, key_prefix: str = "rl"
    ) -> None:
        self.enabled = enabled
        self.fail_open = fail_open
        self.key_prefix = key_prefix  # separates the counters of services sharing one Redis
        self._in_process = storage_uri.startswith("memory://")
        options = (
            {}
            if self._in_process
            else {
                "socket_timeout": _STORAGE_TIMEOUT_SECONDS,
                "socket_connect_timeout": _STORAGE_TIMEOUT_SECONDS,
            }
        )
        self._limiter = Limiter(
            key_func=lambda: "",
            storage_uri=storage_uri,
            storage_options=options,  # type: ignore[arg-type]  # slowapi's hint is narrower than limits takes
            strategy="fixed-window",
            enabled=enabled,
        )

    async def check(self, response: Response | None, *checks: tuple[Policy, str]) -> None:
        """Count one request against each ``(policy, key)``; 429 when any is exhausted.

        ``response`` receives the headers of the tightest window. Storage failures fail
        open (logged, counted) unless the policy fails closed, which answers 503.
        """
        if not self.enabled:
            return
        tightest: Window | None = None
        for policy, key in checks:
            window = await self._hit(policy, key)
            if window is None:
                continue
            if window.remaining < 0:
                record_rate_limit_rejection(policy.scope)
                headers = window.headers()
                headers["Retry-After"] = headers["X-RateLimit-Reset"]
                raise TooManyRequests("Rate limit exceeded; retry later", headers=headers)
            if tightest is None or window.remaining < tightest.remaining:
                tightest = window
        if response is not None and tightest is not None:
            response.headers.update(tightest.headers())

    async def _hit(self, policy: Policy, key: str) -> Window | None:
        try:
            if self._in_process:
                return self._hit_now(policy, key)
            # The storage client is synchronous: keep its round trip off the event loop.
            return await anyio.to_thread.run_sync(self._hit_now, policy, key)
        except Exception as exc:  # the storage's own errors vary by backend
            STORAGE_ERRORS.inc()
            logger.error("rate_limit_storage_unavailable", policy=policy.name, error=type(exc).__name__)
            if policy.fail_closed or not self.fail_open:
                raise ServiceUnavailable(
                    "Rate limiting is unavailable; retry later", headers={"Retry-After": "5"}
                ) from exc
            return None

    def _hit_now(self, policy: Policy, key: str) -> Window:
        strategy = self._limiter.limiter
        identifiers = (self.key_prefix, policy.name, key)
        allowed = strategy.hit(policy.limit, *identifiers)
        stats = strategy.get_window_stats(policy.limit, *identifiers)
        remaining = stats.remaining if allowed else -1
        return Window(policy.limit.amount, remaining, stats.reset_time)

    def reset(self) -> None:
        self._limiter.reset()
