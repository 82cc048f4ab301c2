"""The service's rate-limit policies, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass

from platform_common.observability.security_metrics import RateLimitScope
from platform_common.ratelimit.limiter import Policy
from todo_api.core.config import Settings


@dataclass(frozen=True)
class RatePolicies:
    user: Policy
    tenant: Policy
    anonymous: Policy
    login_ip: Policy
    login_account: Policy
    signup: Policy

    @classmethod
    def from_settings(cls, settings: Settings) -> RatePolicies:
        return cls(
            user=Policy.of("user", settings.rate_limit_authenticated, RateLimitScope.USER),
            tenant=Policy.of("tenant", settings.rate_limit_tenant, RateLimitScope.TENANT),
            anonymous=Policy.of("anonymous", settings.rate_limit_anonymous, RateLimitScope.IP),
            # Login fails closed: with the storage down, brute force would go unchecked.
            login_ip=Policy.of("login-ip", settings.rate_limit_login_ip, RateLimitScope.IP, fail_closed=True),
            login_account=Policy.of(
                "login-account", settings.rate_limit_login_account, RateLimitScope.ACCOUNT, fail_closed=True
            ),
            signup=Policy.of("signup", settings.rate_limit_signup, RateLimitScope.IP),
        )
