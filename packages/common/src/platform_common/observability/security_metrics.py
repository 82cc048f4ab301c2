"""Counters for the auth and rate-limit code: the module-level API they call.

::

    from platform_common.observability.security_metrics import (
        AuthFailureReason, RateLimitScope, record_auth_failure, record_rate_limit_rejection,
    )

    except InvalidToken as exc:
        record_auth_failure(exc.reason)  # "expired", "signature", ... are all known reasons
    record_auth_failure(AuthFailureReason.INVALID_CREDENTIALS)  # wrong password / no account
    record_rate_limit_rejection(RateLimitScope.IP)  # the key the exceeded limit counts by

Label values come from the enums below; any other value is counted as ``other``, so a
caller can never create unbounded series (by passing an IP, a user or a tenant id). Every
value starts at 0, so dashboards and alerts see the series before the first failure.
"""

from __future__ import annotations

from enum import StrEnum

from prometheus_client import Counter


class AuthFailureReason(StrEnum):
    MISSING_CREDENTIALS = "missing_credentials"
    INVALID_CREDENTIALS = "invalid_credentials"  # wrong password or unknown account (login)
    INACTIVE_ACCOUNT = "inactive_account"
    REVOKED = "revoked"  # token version bumped, refresh token revoked or reused
    # The reasons of ``platform_common.auth.tokens.InvalidToken``:
    MALFORMED = "malformed"
    ALGORITHM = "algorithm"
    UNKNOWN_KEY = "unknown_key"
    SIGNATURE = "signature"
    EXPIRED = "expired"
    CLAIMS = "claims"
    ISSUED_IN_FUTURE = "issued_in_future"
    OTHER = "other"


class RateLimitScope(StrEnum):
    """What the exceeded limit counts by."""

    IP = "ip"
    ACCOUNT = "account"  # e.g. failed logins per account name, from every address
    ACCOUNT_IP = "account_ip"  # e.g. failed logins per account name from one client address
    USER = "user"
    TENANT = "tenant"
    OTHER = "other"


_REASONS = frozenset(reason.value for reason in AuthFailureReason)
_SCOPES = frozenset(scope.value for scope in RateLimitScope)


def _zeroed_counter(name: str, documentation: str, label: str, values: frozenset[str]) -> Counter:
    counter = Counter(name, documentation, [label])
    for value in values:
        counter.labels(value)
    return counter


AUTH_FAILURES = _zeroed_counter(
    "auth_failures_total", "Rejected authentication attempts, by reason.", "reason", _REASONS
)
RATE_LIMIT_REJECTIONS = _zeroed_counter(
    "rate_limit_rejections_total",
    "Requests refused with 429, by what the exceeded limit counts.",
    "scope",
    _SCOPES,
)


def record_auth_failure(reason: AuthFailureReason | str) -> None:
    value = str(reason)
    AUTH_FAILURES.labels(value if value in _REASONS else AuthFailureReason.OTHER.value).inc()


def record_rate_limit_rejection(scope: RateLimitScope | str) -> None:
    value = str(scope)
    RATE_LIMIT_REJECTIONS.labels(value if value in _SCOPES else RateLimitScope.OTHER.value).inc()
