"""Settings base shared by every service: typed, environment-driven, safe in production."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from enum import StrEnum
from typing import ClassVar, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Placeholders and published example keys, never acceptable in production. The hex key is the
# one FastAPI's JWT tutorial prints (from `openssl rand -hex 32`), copied into many services.
KNOWN_DEFAULT_SECRETS = frozenset(
    {
        "",
        "changeme",
        "change-me",
        "secret",
        "password",
        "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7",
    }
)
MIN_SECRET_BYTES = 32
# A random key of 32 bytes or more has far more; "a" * 32 or "ab" * 16 has one or two.
MIN_DISTINCT_BYTES = 8


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class WeakSecretError(ValueError):
    """A secret is missing, a known default, too short, or too regular for production."""


def secret_weakness(raw: str, known: Collection[str] = ()) -> str | None:
    """Why ``raw`` cannot be a production secret, or None when it can.

    The one rule for every secret (signing keys included): not a placeholder, published or
    development value (``known`` adds a service's own, e.g. its development default), at least
    32 bytes, at least 8 distinct bytes. ``openssl rand -hex 32`` or ``-base64 48`` pass.
    """
    if raw in KNOWN_DEFAULT_SECRETS or raw in known:
        return "is a known default value; set a random secret"
    encoded = raw.encode()
    if len(encoded) < MIN_SECRET_BYTES:
        return f"must be at least {MIN_SECRET_BYTES} bytes in production"
    if len(set(encoded)) < MIN_DISTINCT_BYTES:
        return f"has fewer than {MIN_DISTINCT_BYTES} distinct bytes; set a random secret"
    return None


def check_secret(name: str, value: SecretStr | None, known: Collection[str] = ()) -> None:
    """Raise ``WeakSecretError`` (naming the variable, never the value) unless ``value`` is strong."""
    if value is None:
        raise WeakSecretError(f"{name} must be set in production")
    reason = secret_weakness(value.get_secret_value(), known)
    if reason is not None:
        raise WeakSecretError(f"{name} {reason}")


class PlatformSettings(BaseSettings):
    """Base settings: subclass per service and add its own fields.

    Every field maps to the upper-case environment variable of the same name.
    Each block lists its own secret fields in ``secret_fields`` (a field may also be a mapping
    or a list of secrets, e.g. a keyring by key id); a service composed of several blocks has
    all of them (``all_secret_fields``). Production refuses to start unless each one is a
    strong secret, and none is the development default of any of them.
    """

    # hide_input_in_errors: a refusal must not print what it refused (a weak key, a URL with
    # its password); pydantic would otherwise echo part of the input in the error.
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True, hide_input_in_errors=True)

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

    def named_secrets(self) -> Iterator[tuple[str, SecretStr | None]]:
        """Every secret with its variable's name; a mapping field gives ``NAME["key"]`` per entry."""
        for field in self.all_secret_fields():
            value = getattr(self, field)
            if isinstance(value, Mapping):
                for key, secret in value.items():
                    yield f'{field.upper()}["{key}"]', secret
            elif isinstance(value, list | tuple):
                for index, secret in enumerate(value):
                    yield f"{field.upper()}[{index}]", secret
            else:
                yield field.upper(), value

    @classmethod
    def all_secret_fields(cls) -> tuple[str, ...]:
        """The ``secret_fields`` of every block this settings class is composed of."""
        fields: dict[str, None] = {}  # in the order the blocks are listed
        for klass in cls.__mro__:
            fields.update(dict.fromkeys(vars(klass).get("secret_fields", ())))
        return tuple(fields)

    @classmethod
    def default_secrets(cls) -> frozenset[str]:
        """The secret fields' defaults: development values, published in the source."""
        defaults = (cls.model_fields[field].default for field in cls.all_secret_fields())
        return frozenset(d.get_secret_value() for d in defaults if isinstance(d, SecretStr))

    def secrets_at_default(self) -> list[str]:
        """Names of the secrets still holding a development default (worth a warning outside production)."""
        defaults = self.default_secrets()
        return [
            name
            for name, value in self.named_secrets()
            if value is not None and value.get_secret_value() in defaults
        ]

    @model_validator(mode="after")
    def _refuse_weak_secrets_in_production(self) -> Self:
        if self.is_production:
            known = self.default_secrets()
            for name, value in self.named_secrets():
                check_secret(name, value, known)
        return self
