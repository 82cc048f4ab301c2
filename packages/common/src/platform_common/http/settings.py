"""The HTTP edge's settings: proxies, hosts, CORS, HSTS, docs, body size."""

from __future__ import annotations

from typing import Self

from pydantic import Field, field_validator, model_validator

from platform_common.http.client_ip import parse_networks
from platform_common.settings import PlatformSettings


def refuse_any_host_in_production(
    trusted_hosts: list[str], *, production: bool, allow_any_host: bool
) -> None:
    """``*`` lets any Host header through: in production only when asked for by name."""
    if production and "*" in trusted_hosts and not allow_any_host:
        raise ValueError(
            'TRUSTED_HOSTS=["*"] accepts any Host header: in production list the host names '
            'served (e.g. ["api.example.com"]), or set ALLOW_ANY_HOST=true to keep "*"'
        )


class HttpSettings(PlatformSettings):
    host: str = Field(default="127.0.0.1", description="Where the development server listens.")
    port: int = Field(default=8000, ge=1, le=65535)
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
