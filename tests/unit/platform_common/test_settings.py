from __future__ import annotations

import base64
import secrets

import pytest
from pydantic import Field, SecretStr, ValidationError

from platform_common.settings import PlatformSettings

DEFAULT = "a-development-default-that-is-long-enough-000"


class ServiceSettings(PlatformSettings):
    secret_fields = ("signing_key", "previous_keys")
    signing_key: SecretStr | None = Field(default=SecretStr(DEFAULT))
    previous_keys: dict[str, SecretStr] = Field(default_factory=dict)


STRONG = secrets.token_hex(32)


def test_development_accepts_the_default_secret() -> None:
    assert ServiceSettings(environment="development").signing_key == SecretStr(DEFAULT)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "must be set"),
        (DEFAULT, "known default"),
        ("changeme", "known default"),
        ("09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7", "known default"),
        (secrets.token_hex(32)[:31], "at least 32 bytes"),
        ("a" * 32, "fewer than 8 distinct bytes"),
        ("ab" * 16, "fewer than 8 distinct bytes"),
        ("abcdefg" * 10, "fewer than 8 distinct bytes"),
    ],
)
def test_production_refuses_a_missing_known_short_or_regular_secret(value: str | None, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        ServiceSettings(environment="production", signing_key=value)


@pytest.mark.parametrize(
    "value",
    [
        secrets.token_hex(32),  # openssl rand -hex 32
        secrets.token_hex(16),  # 32 hex characters: still 32 bytes, from 16 symbols
        base64.b64encode(secrets.token_bytes(48)).decode(),  # openssl rand -base64 48
        secrets.token_urlsafe(32),
    ],
)
def test_production_accepts_random_keys(value: str) -> None:
    assert ServiceSettings(environment="production", signing_key=value).is_production


@pytest.mark.parametrize(("value", "reason"), [(DEFAULT, "known default"), ("ab" * 16, "distinct bytes")])
def test_every_key_of_a_keyring_field_meets_the_same_rule(value: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=rf'PREVIOUS_KEYS\["old"\] .*{reason}') as refused:
        ServiceSettings(environment="production", signing_key=STRONG, previous_keys={"old": value})
    assert value not in str(refused.value)
    keyring = {"old": secrets.token_hex(32)}
    assert ServiceSettings(environment="production", signing_key=STRONG, previous_keys=keyring).is_production


def test_a_refusal_never_shows_the_refused_value() -> None:
    weak = "zq" * 20  # pydantic's error would show the head and tail of its input
    with pytest.raises(ValidationError) as refused:
        ServiceSettings(signing_key=weak, environment="production")
    assert "zqzq" not in str(refused.value)


def test_outside_production_the_secrets_left_at_their_defaults_are_named() -> None:
    assert ServiceSettings().secrets_at_default() == ["SIGNING_KEY"]
    retired = ServiceSettings(signing_key=STRONG, previous_keys={"old": DEFAULT})
    assert retired.secrets_at_default() == ['PREVIOUS_KEYS["old"]']
    assert ServiceSettings(signing_key=STRONG).secrets_at_default() == []


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
