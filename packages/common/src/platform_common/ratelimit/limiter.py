"""``RateLimiter``: count a request against several policies at once, refuse with 429.

Limits are checked from FastAPI dependencies rather than decorators, because the keys are
values known only after other dependencies ran (the verified token's ``tid:sub``, the login
form's account), and one policy may fail closed while the rest fail open. The tightest
window is reported in ``X-RateLimit-*`` headers.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, parse
from prometheus_client import Counter
from starlette.responses import Response

from platform_common.errors import ServiceUnavailable, TooManyRequests
from platform_common.observability.security_metrics import RateLimitScope, record_rate_limit_rejection
from platform_common.ratelimit.counters import Counters, WindowKey, counters_for
from platform_common.ratelimit.settings import RateLimitSettings

logger = structlog.get_logger(__name__)

STORAGE_ERRORS = Counter(
    "rate_limit_storage_errors_total", "Rate-limit checks that could not reach their storage."
)


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

    @property
    def amount(self) -> int:
        return self.limit.amount

    @property
    def period(self) -> int:
        return self.limit.get_expiry()


class RateLimited(TooManyRequests):
    """A 429 that names the policy that refused, for callers that log or act on which one."""

    def __init__(self, policy: Policy, headers: dict[str, str]) -> None:
        super().__init__("Rate limit exceeded; retry later", headers=headers)
        self.policy = policy


@dataclass(frozen=True)
class Window:
    limit: int
    count: int
    reset_at: float

    @property
    def remaining(self) -> int:
        return self.limit - self.count

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.remaining, 0)),
            "X-RateLimit-Reset": str(max(math.ceil(self.reset_at - time.time()), 0)),
        }


class RateLimiter:
    def __init__(
        self, *, counters: Counters, enabled: bool = True, fail_open: bool = True, key_prefix: str = "rl"
    ) -> None:
        self.enabled = enabled
        self.fail_open = fail_open
        self.key_prefix = key_prefix  # separates the counters of services sharing one Redis
        self._counters = counters

    @classmethod
    def from_settings(cls, settings: RateLimitSettings, *, key_prefix: str) -> RateLimiter:
        return cls(
            counters=counters_for(settings.rate_limit_storage_uri),
            enabled=settings.rate_limit_enabled,
            fail_open=settings.rate_limit_fail_open,
            key_prefix=key_prefix,
        )

    async def close(self) -> None:
        await self._counters.close()

    def _keys(self, checks: Sequence[tuple[Policy, str]]) -> list[WindowKey]:
        return [WindowKey(f"{self.key_prefix}:{policy.name}:{key}", policy.period) for policy, key in checks]

    async def check(self, response: Response | None, *checks: tuple[Policy, str]) -> None:
        """Count one request against each ``(policy, key)``; 429 when any is exhausted.

        ``response`` receives the headers of the tightest window. Storage failures fail
        open (logged, counted) unless a policy fails closed, which answers 503.
        """
        windows = await self.hit(*checks)
        if windows and response is not None:
            tightest = min(windows, key=lambda window: window.remaining)
            response.headers.update(tightest.headers())

    @asynccontextmanager
    async def failure_budget(
        self,
        response: Response | None,
        *failures: tuple[Policy, str],
        attempts: Sequence[tuple[Policy, str]] = (),
    ) -> AsyncIterator[None]:
        """Guard an attempt that may fail, such as a password check: ``attempts`` count
        every try, ``failures`` only the tries that fail.

        A slot of each failure budget is taken before the block runs, so parallel tries
        cannot all get past before the first failure is counted, and given back when the
        block finishes without raising (the try succeeded). 429 when a budget is spent.
        """
        await self.check(response, *attempts, *failures)
        yield
        await self.give_back(*failures)

    async def hit(self, *checks: tuple[Policy, str], amount: int = 1) -> list[Window]:
        """Count ``amount`` hits; raise 429 when a window is exceeded (the hit still counts)."""
        if not self.enabled or not checks:
            return []
        try:
            counts = await self._counters.hit(self._keys(checks), amount)
        except Exception as exc:  # the storage's own errors vary by backend
            self._storage_failed(checks, exc)
            return []
        windows = [
            Window(policy.amount, count, reset_at)
            for (policy, _), (count, reset_at) in zip(checks, counts, strict=True)
        ]
        for index, ((policy, _), window) in enumerate(zip(checks, windows, strict=True)):
            if window.remaining < 0:
                # As if checked one by one: the policies after the exceeded one were never reached.
                await self.give_back(*checks[index + 1 :], amount=amount)
                record_rate_limit_rejection(policy.scope)
                headers = window.headers()
                headers["Retry-After"] = headers["X-RateLimit-Reset"]
                raise RateLimited(policy, headers)
        return windows

    async def give_back(self, *checks: tuple[Policy, str], amount: int = 1) -> None:
        """Undo ``amount`` hits in the current windows (a reserved slot that was not used)."""
        if not self.enabled or not checks:
            return
        try:
            await self._counters.hit(self._keys(checks), -amount)
        except Exception as exc:
            STORAGE_ERRORS.inc()
            logger.error("rate_limit_storage_unavailable", error=type(exc).__name__)

    def _storage_failed(self, checks: Sequence[tuple[Policy, str]], exc: Exception) -> None:
        STORAGE_ERRORS.inc()
        names = ",".join(policy.name for policy, _ in checks)
        logger.error("rate_limit_storage_unavailable", policy=names, error=type(exc).__name__)
        if not self.fail_open or any(policy.fail_closed for policy, _ in checks):
            raise ServiceUnavailable(
                "Rate limiting is unavailable; retry later", headers={"Retry-After": "5"}
            ) from exc
