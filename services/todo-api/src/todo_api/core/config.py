"""todo-api settings: the platform's building blocks plus the service's own limits.

Every field is an environment variable of the same name, upper-cased.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Self

from limits import parse
from pydantic import AnyHttpUrl, Field, field_validator, model_validator

from platform_common.app import ServiceSettings
from platform_common.auth.settings import TokenSettings
from platform_common.db.purge import PurgeSettings
from platform_common.db.settings import DatabaseSettings
from platform_common.observability.settings import ObservabilitySettings
from platform_common.settings import PlatformSettings
from platform_common.webhooks.settings import WebhookSettings

DEFAULT_TASK_QUOTA_PER_USER = 10_000


class RetentionSettings(PlatformSettings):
    """How long deleted tasks stay: read by the API (restores, delta's 410) and by the purge
    job that removes them, from the same variables."""

    trash_retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days a trashed task stays restorable before the purge deletes it.",
    )
    delta_tombstone_retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days a deleted task's tombstone is kept for delta sync; an older cursor is 410.",
    )


class Settings(ServiceSettings, TokenSettings, WebhookSettings, RetentionSettings):
    service_name: str = "todo-api"

    max_webhooks_per_user: int = Field(
        default=20, ge=0, le=1000, description="Webhooks one user may register."
    )
    max_tokens_per_user: int = Field(
        default=50, ge=0, le=1000, description="Personal access tokens one user may hold."
    )
    task_quota_per_user: int = Field(
        default=DEFAULT_TASK_QUOTA_PER_USER,
        ge=1,
        le=10_000_000,
        description="Tasks one user may own, trashed ones included (409 task_quota_exceeded beyond).",
    )

    max_lists_per_user: int = Field(default=500, ge=1, le=100_000, description="Lists one user may have.")

    rate_limit_authenticated: str = Field(default="600/minute", description="Per user (tid:sub).")
    rate_limit_tenant: str = Field(default="3000/minute", description="Per tenant, all its users together.")
    rate_limit_anonymous: str = Field(default="60/minute", description="Per client IP, public routes.")
    rate_limit_login_ip: str = Field(default="20/minute", description="Logins per client IP.")
    rate_limit_login_failures_account_ip: str = Field(
        default="5/minute", description="Failed logins per e-mail from one client IP."
    )
    rate_limit_login_failures_account: str = Field(
        default="100/hour", description="Failed logins per e-mail from all IPs together."
    )
    rate_limit_signup: str = Field(default="10/hour", description="Sign-ups per client IP.")
    rate_limit_signup_account: str = Field(
        default="3/hour", description="Sign-up verification mails per e-mail address."
    )
    rate_limit_password_change_failures: str = Field(
        default="5/minute", description="Wrong current passwords per user at POST /users/me/password."
    )
    rate_limit_password_reset_ip: str = Field(
        default="20/hour", description="Password-reset requests and confirmations per client IP."
    )
    rate_limit_password_reset_account: str = Field(
        default="3/hour", description="Password-reset requests (mails) per e-mail address."
    )
    rate_limit_invitation_accept_ip: str = Field(
        default="60/hour", description="Invitation acceptances per client IP."
    )
    public_base_url: AnyHttpUrl | None = Field(
        default=None,
        description="Where users open the web app: e-mailed links start with it (required in production).",
    )
    tenant_deletion_grace_days: int = Field(
        default=7,
        ge=0,
        le=365,
        description="Days a tenant its owner asked to delete stays disabled (and cancellable) before the purge deletes it; 0: at the next purge run.",
    )
    password_change_max_failures: int = Field(
        default=10,
        ge=1,
        description="Consecutive wrong current passwords that end every session of the user.",
    )

    @field_validator(
        "rate_limit_authenticated",
        "rate_limit_tenant",
        "rate_limit_anonymous",
        "rate_limit_login_ip",
        "rate_limit_login_failures_account_ip",
        "rate_limit_login_failures_account",
        "rate_limit_signup",
        "rate_limit_signup_account",
        "rate_limit_password_change_failures",
        "rate_limit_password_reset_ip",
        "rate_limit_password_reset_account",
        "rate_limit_invitation_accept_ip",
    )
    @classmethod
    def _limit_notation(cls, value: str) -> str:
        parse(value)  # the `limits` notation, e.g. "5/minute"; raises on anything else
        return value

    @model_validator(mode="after")
    def _links_need_a_base_in_production(self) -> Self:
        if self.is_production and self.public_base_url is None:
            raise ValueError("PUBLIC_BASE_URL must be set in production: e-mailed links start with it")
        return self

    @property
    def link_base(self) -> str:
        """The base of e-mailed links, without a trailing slash (development: the local server)."""
        base = str(self.public_base_url) if self.public_base_url else f"http://{self.host}:{self.port}"
        return base.rstrip("/")


class PurgeJobSettings(DatabaseSettings, ObservabilitySettings, PurgeSettings, RetentionSettings):
    """``python -m todo_api.purge``: the runtime role's connection, logging, the batch size and
    the retentions; no signing or encryption key (the job needs none). A one-shot job serves
    no metrics."""

    service_name: str = "todo-api"
    metrics_enabled: bool = Field(default=False, description="A one-shot job has nothing to scrape.")
    event_retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Events (and their webhook delivery attempts) are kept this long once no delivery is pending; e-mails this long after they were written.",
    )
    audit_retention_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Audit events (GET /audit-events) are kept this many days, then the purge deletes them.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()  # fields come from the environment (the pydantic plugin knows)
