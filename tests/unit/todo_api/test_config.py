"""What production refuses to start with: todo-api's signing keys and Host allow-list."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from pydantic import ValidationError

from platform_common.auth.settings import DEV_SECRET_KEY
from todo_api.core.config import Settings

DATABASE_URL = "postgresql://todo_app@db.example.com/todo"
HOSTS = ["api.example.com"]


def production(**overrides: Any) -> Settings:
    values = {
        "secret_key": secrets.token_hex(32),
        "data_encryption_key": secrets.token_hex(32),
        "trusted_hosts": HOSTS,
        "public_base_url": "https://app.example.com",
        **overrides,
    }
    return Settings(database_url=DATABASE_URL, environment="production", **values)


def test_a_production_configuration_as_documented_starts() -> None:
    settings = production(jwt_previous_keys={"k1": secrets.token_hex(32)})
    assert settings.is_production


@pytest.mark.parametrize("weak", [DEV_SECRET_KEY, "a" * 32, "ab" * 16, "short"])
def test_production_refuses_a_weak_or_development_secret_key(weak: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        production(secret_key=weak)


@pytest.mark.parametrize("weak", [DEV_SECRET_KEY, "a" * 32, "ab" * 16])
def test_production_refuses_the_same_keys_among_the_previous_keys(weak: str) -> None:
    with pytest.raises(ValidationError, match=r'JWT_PREVIOUS_KEYS\["k1"\]'):
        production(jwt_previous_keys={"k1": weak})


def test_outside_production_the_development_key_works_and_is_named() -> None:
    settings = Settings(database_url=DATABASE_URL, environment="test")
    assert settings.secret_key.get_secret_value() == DEV_SECRET_KEY
    assert settings.secrets_at_default() == ["SECRET_KEY", "DATA_ENCRYPTION_KEY"]


def test_production_needs_the_base_of_e_mailed_links() -> None:
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL must be set in production"):
        production(public_base_url=None)
    assert production(public_base_url="https://app.example.com/").link_base == "https://app.example.com"
    local = Settings(database_url=DATABASE_URL, environment="test", port=8123)
    assert (local.public_base_url, local.link_base) == (None, "http://127.0.0.1:8123")


def test_production_refuses_any_host_unless_asked_for_by_name() -> None:
    with pytest.raises(ValidationError, match="ALLOW_ANY_HOST"):
        production(trusted_hosts=["*"])
    with pytest.raises(ValidationError, match="ALLOW_ANY_HOST"):
        production(trusted_hosts=["api.example.com", "*"])
    assert production(trusted_hosts=["*"], allow_any_host=True).trusted_hosts == ["*"]
    assert Settings(database_url=DATABASE_URL, environment="test").trusted_hosts == ["*"]
