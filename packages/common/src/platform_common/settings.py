"""Settings base shared by every service: typed, environment-driven, safe in production."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Placeholder values seen in examples; never acceptable in production.
KNOWN_DEFAULT_SECRETS = frozenset({"", "changeme", "change-me", "secret", "password"})
MIN_SECRET_BYTES = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class WeakSecretError(ValueError):
    """A secret is missing, a known default, or too short for production."""


def check_secret(name: str, value: SecretStr | None, default: object = None) -> None:
    """Raise unless ``value`` is a real secret of at least 32 bytes, other than ``default``."""
    if value is None:
        raise WeakSecretError(f"{name} must be set in production")
    raw = value.get_secret_value()
    if raw in KNOWN_DEFAULT_SECRETS or value == default:
        raise WeakSecretError(f"{name} is a known default value; set a random secret")
    if len(raw.encode()) < MIN_SECRET_BYTES:
        raise WeakSecretError(f"{name} must be at least {MIN_SECRET_BYTES} bytes in production")


class PlatformSettings(BaseSettings):
    """Base settings: subclass per service and add its own fields.

    Every field maps to the upper-case environment variable of the same name.
    Subclasses list their secret fields in ``secret_fields``; production refuses
    to start unless each one is a strong secret.
    """

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    secret_fields: ClassVar[tuple[str, ...]] = ()

    service_name: str = Field(
        default="service", description="Name in logs, traces, metrics keys and application_name."
    )
    environment: Environment = Environment.DEVELOPMENT
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto", description="auto: JSON in production, console otherwise."
    )

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @model_validator(mode="after")
    def _refuse_weak_secrets_in_production(self) -> Self:
        if self.is_production:
            for name in self.secret_fields:
                default = type(self).model_fields[name].default
                check_secret(name.upper(), getattr(self, name), default)
        return self
