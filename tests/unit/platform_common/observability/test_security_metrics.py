from __future__ import annotations

import inspect
import re

import pytest
from prometheus_client import REGISTRY

from platform_common.auth import tokens
from platform_common.observability.security_metrics import (
    AuthFailureReason,
    RateLimitScope,
    record_auth_failure,
    record_rate_limit_rejection,
)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_every_reason_and_scope_is_exported_from_the_start() -> None:
    for reason in AuthFailureReason:
        assert REGISTRY.get_sample_value("auth_failures_total", {"reason": reason.value}) is not None
    for scope in RateLimitScope:
        assert REGISTRY.get_sample_value("rate_limit_rejections_total", {"scope": scope.value}) is not None


@pytest.mark.parametrize(
    "reason", ["expired", "signature", "malformed", AuthFailureReason.INVALID_CREDENTIALS]
)
def test_auth_failures_count_by_reason(reason: str) -> None:
    before = value("auth_failures_total", reason=str(reason))
    record_auth_failure(reason)
    assert value("auth_failures_total", reason=str(reason)) == before + 1


def test_every_reason_our_token_verifier_raises_is_known() -> None:
    """``record_auth_failure(exc.reason)`` never lands in ``other`` for our own token errors."""
    reasons = set(re.findall(r'InvalidToken\("([a-z_]+)"\)', inspect.getsource(tokens)))
    assert reasons
    assert reasons <= {reason.value for reason in AuthFailureReason}


@pytest.mark.parametrize("unbounded", ["203.0.113.7", "6f1c3e52-1d2b-4c6e-9a51-7d3f1b2c4e5a", "alice"])
def test_unknown_values_never_become_new_series(unbounded: str) -> None:
    other_auth = value("auth_failures_total", reason="other")
    other_limit = value("rate_limit_rejections_total", scope="other")
    record_auth_failure(unbounded)
    record_rate_limit_rejection(unbounded)
    assert value("auth_failures_total", reason="other") == other_auth + 1
    assert value("rate_limit_rejections_total", scope="other") == other_limit + 1
    assert REGISTRY.get_sample_value("auth_failures_total", {"reason": unbounded}) is None
    assert REGISTRY.get_sample_value("rate_limit_rejections_total", {"scope": unbounded}) is None


def test_rate_limit_rejections_count_by_scope() -> None:
    before = value("rate_limit_rejections_total", scope="ip")
    record_rate_limit_rejection(RateLimitScope.IP)
    assert value("rate_limit_rejections_total", scope="ip") == before + 1
