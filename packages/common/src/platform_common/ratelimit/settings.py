"""RATE_LIMIT_*: whether limits apply and where their counters live."""

from __future__ import annotations

from pydantic import Field, field_validator

from platform_common.settings import PlatformSettings


class RateLimitSettings(PlatformSettings):
    rate_limit_enabled: bool = Field(default=True, description="false turns every limit off.")
    rate_limit_storage_uri: str = Field(
        default="memory://",
        description="memory:// (one replica) or redis://host:6379/0 (counters shared by replicas).",
    )
    rate_limit_fail_open: bool = Field(
        default=True, description="Serve when the storage is down (fail-closed limits still refuse)."
    )

    @field_validator("rate_limit_storage_uri")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        if not value.startswith(("memory://", "redis://", "rediss://", "unix://")):
            raise ValueError("use memory:// or a redis:// (rediss://, unix://) URL")
        return value
