"""todo-api settings: every field is an environment variable of the same name, upper-cased."""

from __future__ import annotations

from functools import lru_cache
from typing import Self

from limits import parse
from pydantic import Field, SecretStr, field_validator, model_validator
from sqlalchemy.engine import make_url

from platform_common.client_ip import parse_networks
from platform_common.observability.settings import ObservabilitySettings
from platform_common.settings import PlatformSettings

DEV_SECRET_KEY = "dev-secret-key-not-for-production-use-00000"  # noqa: S105  # production refuses it


def refuse_any_host_in_production(
    trusted_hosts: list[str], *, production: bool, allow_any_host: bool
) -> None:
    """``*`` lets any Host header through: in production only when asked for by name."""
    if production and "*" in trusted_hosts and not allow_any_host:
        raise ValueError(
            'TRUSTED_HOSTS=["*"] accepts any Host header: in production list the host names '
            'served (e.g. ["api.example.com"]), or set ALLOW_ANY_HOST=true to keep "*"'
        )


class Settings(ObservabilitySettings):
    # Every signing key, active or retired, passes the same production check.
    secret_fields = ("secret_key", "jwt_previous_keys")

    service_name: str = "todo-api"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    rate_limit_enabled: bool = Field(default=True, description="false turns every limit off.")
    rate_limit_storage_uri: str = Field(
        default="memory://",
        description="memory:// (one replica) or redis://host:6379/0 (counters shared by replicas).",
    )
    rate_limit_fail_open: bool = Field(
        default=True, description="Serve when the storage is down (login still fails closed)."
    )
    rate_limit_authenticated: str = Field(default="600/minute", description="Per user (tid:sub).")
    rate_limit_tenant: str = Field(default="3000/minute", description="Per tenant, all its users together.")
    rate_limit_anonymous: str = Field(default="60/minute", description="Per client IP, public routes.")
    rate_limit_login_ip: str = Field(default="20/minute", description="Logins per client IP.")
    rate_limit_login_account: str = Field(default="5/minute", description="Logins per e-mail, all IPs.")
    rate_limit_signup: str = Field(default="10/hour", description="Sign-ups per client IP.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Peers (IPs or CIDRs) whose X-Forwarded-For is believed, as a JSON list.",
    )
    cors_origins: list[str] = Field(default_factory=list, description="Allowed browser origins (JSON list).")
    trusted_hosts: list[str] = Field(default=["*"], description="Accepted Host headers (JSON list).")
    allow_any_host: bool = Field(
        default=False, description='Let production start with "*" in TRUSTED_HOSTS (any Host header).'
    )
    hsts_seconds: int = Field(default=0, ge=0, description="Strict-Transport-Security max-age; 0 = off.")
    docs_enabled: bool | None = Field(
        default=None, description="Serve /docs and /redoc; default: on except in production."
    )
    openapi_url: str = Field(
        default="/openapi.json", pattern=r"^/", description="Where the raw spec is served."
    )

    max_request_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Larger request bodies are refused with 413."
    )

    secret_key: SecretStr = Field(
        default=SecretStr(DEV_SECRET_KEY),
        description="Active signing key for access tokens; >= 32 random bytes in production.",
    )
    jwt_key_id: str = Field(default="primary", min_length=1, description="kid of SECRET_KEY.")
    jwt_previous_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Retired keys still accepted for verification, as JSON {"kid": "key"}; '
        "production holds each to SECRET_KEY's rule.",
    )
    jwt_algorithms: list[str] = Field(default=["HS256"], min_length=1)
    jwt_issuer: str = "todo-api"
    jwt_audience: str = "todo-api"
    jwt_leeway_seconds: int = Field(default=10, ge=0, le=60)
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    refresh_token_idle_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=300)
    refresh_token_absolute_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=300)
    password_hash_concurrency: int = Field(default=2, ge=1, le=64)

    database_url: str = Field(description="Runtime connection (the non-owner app role).")
    database_pool_size: int = Field(default=10, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    database_pool_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for a pooled connection."
    )
    database_pool_recycle: int = Field(
        default=1800, ge=-1, description="Seconds before a connection is replaced."
    )
    database_pool_pre_ping: bool = Field(
        default=False,
        description="Test each connection on checkout (three round trips under asyncpg).",
    )
    database_connect_timeout: float = Field(default=5.0, gt=0)
    database_statement_timeout_ms: int = Field(default=10_000, ge=0, description="0 disables it.")

    @field_validator("jwt_algorithms")
    @classmethod
    def _only_hmac_algorithms(cls, value: list[str]) -> list[str]:
        # The keyring holds shared secrets; an asymmetric algorithm must never verify with them.
        if any(alg not in {"HS256", "HS384", "HS512"} for alg in value):
            raise ValueError("only HS256, HS384 and HS512 are supported")
        return value

    @field_validator(
        "rate_limit_authenticated",
        "rate_limit_tenant",
        "rate_limit_anonymous",
        "rate_limit_login_ip",
        "rate_limit_login_account",
        "rate_limit_signup",
    )
    @classmethod
    def _limit_notation(cls, value: str) -> str:
        parse(value)  # slowapi's notation, e.g. "5/minute"; raises on anything else
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        parse_networks(value)
        return value

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard_origin(cls, value: list[str]) -> list[str]:
        # Credentials (Authorization) are allowed, so a wildcard would let any site use them.
        if "*" in value:
            raise ValueError("list the allowed origins; '*' is not accepted")
        return value

    @model_validator(mode="after")
    def _hosts_listed_in_production(self) -> Self:
        refuse_any_host_in_production(
            self.trusted_hosts, production=self.is_production, allow_any_host=self.allow_any_host
        )
        return self

    @property
    def serve_docs(self) -> bool:
        return self.docs_enabled if self.docs_enabled is not None else not self.is_production

    @field_validator("database_url", mode="before")
    @classmethod
    def _use_asyncpg_driver(cls, value: object) -> object:
        """Accept plain ``postgresql://`` URLs (as most tools print them) and Unix sockets."""
        if not isinstance(value, str):
            return value
        url = make_url(value)
        if url.get_backend_name() != "postgresql":
            raise ValueError("DATABASE_URL must be a postgresql:// URL")
        return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


@lru_cache
def get_settings() -> Settings:
    return Settings()  # fields come from the environment (the pydantic plugin knows)


class MigrationSettings(PlatformSettings):
    """What ``alembic`` needs: the owner's connection and the runtime role to grant to."""

    migrations_database_url: str | None = Field(
        default=None, description="Owner-role connection for migrations; DATABASE_URL if unset."
    )
    database_url: str | None = None
    database_app_role: str | None = Field(
        default=None, description="Runtime role granted data access after each migration."
    )

    @property
    def url(self) -> str:
        url = self.migrations_database_url or self.database_url
        if not url:
            raise ValueError("Set MIGRATIONS_DATABASE_URL (or DATABASE_URL) to run migrations")
        return url
