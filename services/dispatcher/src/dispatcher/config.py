"""Dispatcher settings: the platform's blocks (database, observability, webhooks), e-mail
(``MailSettings``) and its own.

The database URL is ``DISPATCHER_DATABASE_URL``, a **direct** connection to PostgreSQL (the
runtime role, under row-level security): the queue wakes up on LISTEN/NOTIFY and holds its
connection between statements, which a transaction-pooling PgBouncer would break; polling
every ``DISPATCHER_POLL_SECONDS`` is the fallback when a notification is missed.
"""

from __future__ import annotations

from email.errors import HeaderParseError
from email.headerregistry import Address
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator

from platform_common.db.settings import DatabaseSettings
from platform_common.observability.settings import ObservabilitySettings
from platform_common.settings import PlatformSettings
from platform_common.webhooks.settings import WebhookSettings

# Standard Webhooks' recommended schedule: the first attempt at once, then retries after
# 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (about a day and a quarter in all).
STANDARD_RETRY_SCHEDULE = [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0]
# E-mail: its links expire (an hour for a password reset), so retries are closer together and
# end sooner: 30 s, 2 min, 10 min, 30 min, 1 h after the first attempt (about 1 h 45 min in all).
MAIL_RETRY_SCHEDULE = [30.0, 120.0, 600.0, 1800.0, 3600.0]
DEVELOPMENT_SENDER = "todo@localhost"


def _retry_delays(value: list[float]) -> list[float]:
    if any(delay < 0 for delay in value):
        raise ValueError("retry delays cannot be negative")
    return value


class MailSettings(PlatformSettings):
    """How the dispatcher sends e-mail: an SMTP server (``SMTP_*``), or in development, when
    SMTP_HOST is unset, files in MAIL_DIRECTORY. Production requires a server, a sender and
    TLS (STARTTLS or implicit), since messages carry tokens.

    SMTP_PASSWORD is a secret (never logged, hidden in errors), but not one of the platform's
    generated secrets held to their strength rule: a mail provider issues it, in its own format.
    """

    smtp_host: str | None = Field(
        default=None, description="SMTP server; unset in development: e-mails go to MAIL_DIRECTORY."
    )
    smtp_port: int | None = Field(
        default=None, ge=1, le=65535, description="Default: 465 with SMTP_TLS, otherwise 587."
    )
    smtp_username: str | None = Field(default=None, description="SMTP AUTH user (with SMTP_PASSWORD).")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP AUTH password.")
    smtp_starttls: bool = Field(default=True, description="Require STARTTLS on the plain port.")
    smtp_tls: bool = Field(
        default=False, description="Implicit TLS from the first byte (port 465); STARTTLS is then unused."
    )
    smtp_from: str | None = Field(default=None, description="The sender address of every e-mail.")
    smtp_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Per SMTP command (connect, each reply) of a conversation."
    )
    mail_retry_schedule_seconds: list[float] = Field(
        default_factory=lambda: list(MAIL_RETRY_SCHEDULE),
        description="Delays before each retry after a 4xx or a connection error (JSON list).",
    )
    mail_retry_jitter: float = Field(
        default=0.2, ge=0, le=1, description="Each e-mail retry delay is spread by up to this share."
    )
    mail_directory: Path = Field(
        default=Path(".data/mail"),
        description="Without SMTP_HOST (development only): where each e-mail is written as a .eml file.",
    )

    _non_negative_mail_delays = field_validator("mail_retry_schedule_seconds")(_retry_delays)

    @field_validator("smtp_from")
    @classmethod
    def _one_address(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parsed = Address(addr_spec=value)
            except (ValueError, IndexError, HeaderParseError) as exc:
                raise ValueError("SMTP_FROM must be one bare address, e.g. todo@example.com") from exc
            if parsed.addr_spec != value or not parsed.domain:
                raise ValueError("SMTP_FROM must be one bare address, e.g. todo@example.com")
        return value

    @model_validator(mode="after")
    def _a_coherent_and_safe_transport(self) -> Self:
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError("SMTP_USERNAME and SMTP_PASSWORD go together")
        if self.is_production:
            if not self.smtp_host or not self.smtp_from:
                raise ValueError(
                    "SMTP_HOST and SMTP_FROM must be set in production: the dispatcher sends e-mail"
                )
            if not (self.smtp_tls or self.smtp_starttls):
                raise ValueError(
                    "e-mails carry tokens: production refuses SMTP without TLS (SMTP_STARTTLS or SMTP_TLS)"
                )
        return self

    @property
    def sender(self) -> str:
        return self.smtp_from or DEVELOPMENT_SENDER

    @property
    def starttls(self) -> bool:
        return self.smtp_starttls and not self.smtp_tls

    @property
    def port(self) -> int:
        return self.smtp_port or (465 if self.smtp_tls else 587)


class DispatcherSettings(DatabaseSettings, ObservabilitySettings, WebhookSettings, MailSettings):
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

    _non_negative_webhook_delays = field_validator("webhook_retry_schedule_seconds")(_retry_delays)


@lru_cache
def get_settings() -> DispatcherSettings:
    return DispatcherSettings()  # fields come from the environment (the pydantic plugin knows)
