from __future__ import annotations

import pytest
from pydantic import Field, SecretStr, ValidationError

from platform_common.settings import PlatformSettings

DEFAULT = "a-development-default-that-is-long-enough-000"


class ServiceSettings(PlatformSettings):
    secret_fields = ("signing_key",)
    signing_key: SecretStr | None = Field(default=SecretStr(DEFAULT))


STRONG = "k" * 32


def test_development_accepts_the_default_secret() -> None:
    assert ServiceSettings(environment="development").signing_key == SecretStr(DEFAULT)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "must be set"),
        (DEFAULT, "known default"),
        ("changeme", "known default"),
        ("k" * 31, "at least 32 bytes"),
    ],
)
def test_production_refuses_a_missing_default_or_short_secret(value: str | None, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        ServiceSettings(environment="production", signing_key=value)


def test_production_accepts_a_strong_secret() -> None:
    assert ServiceSettings(environment="production", signing_key=STRONG).is_production


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SIGNING_KEY", STRONG)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    settings = ServiceSettings()
    assert settings.is_production
    assert settings.log_level == "WARNING"


def test_secrets_never_show_in_repr() -> None:
    assert STRONG not in repr(ServiceSettings(signing_key=STRONG))


def test_unknown_environment_is_rejected() -> None:
    with pytest.raises(ValidationError):
        ServiceSettings(environment="staging")
