"""The service's rate-limit policies, built once from settings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import structlog

from platform_common.observability.security_metrics import RateLimitScope
from platform_common.ratelimit.limiter import Policy
from todo_api.core.config import Settings

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RatePolicies:
    user: Policy
    tenant: Policy
    anonymous: Policy
    login_ip: Policy
    login_failures_account_ip: Policy
    login_failures_account: Policy
    signup: Policy
    signup_account: Policy
    password_change_failures: Policy
    password_reset_ip: Policy
    password_reset_account: Policy
    invitation_accept_ip: Policy

    @classmethod
    def from_settings(cls, settings: Settings) -> RatePolicies:
        return cls(
            user=Policy.of("user", settings.rate_limit_authenticated, RateLimitScope.USER),
            tenant=Policy.of("tenant", settings.rate_limit_tenant, RateLimitScope.TENANT),
            anonymous=Policy.of("anonymous", settings.rate_limit_anonymous, RateLimitScope.IP),
            # Password checks fail closed: with the storage down, guessing would go unchecked.
            login_ip=Policy.of("login-ip", settings.rate_limit_login_ip, RateLimitScope.IP, fail_closed=True),
            login_failures_account_ip=Policy.of(
                "login-failures-account-ip",
                settings.rate_limit_login_failures_account_ip,
                RateLimitScope.ACCOUNT_IP,
                fail_closed=True,
            ),
            login_failures_account=Policy.of(
                "login-failures-account",
                settings.rate_limit_login_failures_account,
                RateLimitScope.ACCOUNT,
                fail_closed=True,
            ),
            signup=Policy.of("signup", settings.rate_limit_signup, RateLimitScope.IP),
            signup_account=Policy.of(
                "signup-account", settings.rate_limit_signup_account, RateLimitScope.ACCOUNT
            ),
            password_change_failures=Policy.of(
                "password-change-failures",
                settings.rate_limit_password_change_failures,
                RateLimitScope.USER,
                fail_closed=True,
            ),
            password_reset_ip=Policy.of(
                "password-reset-ip", settings.rate_limit_password_reset_ip, RateLimitScope.IP
            ),
            password_reset_account=Policy.of(
                "password-reset-account", settings.rate_limit_password_reset_account, RateLimitScope.ACCOUNT
            ),
            invitation_accept_ip=Policy.of(
                "invitation-accept-ip", settings.rate_limit_invitation_accept_ip, RateLimitScope.IP
            ),
        )


def account_fingerprint(account: str) -> str:
    """How logs name an account: the first 16 hex digits of the SHA-256 of its normalised
    e-mail (``printf %s owner@example.com | sha256sum`` finds it). Not the address itself:
    what arrives as a login's e-mail is sometimes a password typed in the wrong field."""
    return hashlib.sha256(account.encode()).hexdigest()[:16]


def record_throttled_account(policy: Policy, account: str) -> None:
    """Log a login refused because the account's failure budget is spent (the limiter
    already counted it in ``rate_limit_rejections_total{scope}``)."""
    logger.warning("login_throttled", scope=str(policy.scope), account=account_fingerprint(account))
