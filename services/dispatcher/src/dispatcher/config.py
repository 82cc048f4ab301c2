"""Dispatcher settings: the platform's blocks (database, observability, webhooks) plus its own.

The database URL is ``DISPATCHER_DATABASE_URL``, a **direct** connection to PostgreSQL (the
runtime role, under row-level security): the queue wakes up on LISTEN/NOTIFY and holds its
connection between statements, which a transaction-pooling PgBouncer would break; polling
every ``DISPATCHER_POLL_SECONDS`` is the fallback when a notification is missed.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator

from platform_common.db.settings import DatabaseSettings
from platform_common.observability.settings import ObservabilitySettings
from platform_common.webhooks.settings import WebhookSettings

# Standard Webhooks' recommended schedule: the first attempt at once, then retries after
# 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (about a day and a quarter in all).
STANDARD_RETRY_SCHEDULE = [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0]


class DispatcherSettings(DatabaseSettings, ObservabilitySettings, WebhookSettings):
    service_name: str = "dispatcher"

    database_url: str = Field(
        alias="DISPATCHER_DATABASE_URL",
        description="Direct connection (not through a pooler) as the runtime role.",
    )
    database_pooler: Literal["none", "transaction"] = Field(
        default="none", description="Always none: DISPATCHER_DATABASE_URL is direct."
    )
    metrics_port: int = Field(default=9101, ge=0, le=65535, description="The dispatcher's metrics listener.")
    dispatcher_concurrency: int = Field(
        default=10, ge=2, le=1000, description="Deliveries in flight at once."
    )
    dispatcher_poll_seconds: float = Field(
        default=5.0, gt=0, le=300, description="Look for due jobs at least this often (NOTIFY may be missed)."
    )
    dispatcher_heartbeat_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A job whose worker stopped beating this long (killed) is picked up again.",
    )
    webhook_retry_schedule_seconds: list[float] = Field(
        default_factory=lambda: list(STANDARD_RETRY_SCHEDULE),
        min_length=0,
        description="Delays before each retry after a network error, timeout or 5xx (JSON list).",
    )
    webhook_retry_jitter: float = Field(
        default=0.2, ge=0, le=1, description="Each retry delay is spread by up to this share, either way."
    )
    webhook_disable_after_seconds: float = Field(
        default=5 * 24 * 3600.0,
        gt=0,
        description="An endpoint failing for longer than this is disabled (its owner sees why).",
    )

    @field_validator("database_pooler", mode="before")
    @classmethod
    def _direct(cls, value: object) -> str:
        """The API's DATABASE_POOLER reaches this process too (the chart gives both the same
        ConfigMap), but it describes DATABASE_URL, not DISPATCHER_DATABASE_URL: the queue
        connection is direct, and so is the pool beside it (session settings, cached statements)."""
        return "none"

    @field_validator("webhook_retry_schedule_seconds")
    @classmethod
    def _non_negative(cls, value: list[float]) -> list[float]:
        if any(delay < 0 for delay in value):
            raise ValueError("retry delays cannot be negative")
        return value


@lru_cache
def get_settings() -> DispatcherSettings:
    return DispatcherSettings()  # fields come from the environment (the pydantic plugin knows)
