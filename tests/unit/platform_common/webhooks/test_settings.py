"""Webhook settings: secrets at rest under SECRET_KEY's rule, private targets never in production."""

from __future__ import annotations

import secrets

import pytest
from pydantic import SecretStr, ValidationError

from platform_common.auth.settings import TokenSettings
from platform_common.webhooks.settings import DEV_DATA_ENCRYPTION_KEY, WebhookSettings


class Composed(TokenSettings, WebhookSettings):
    """A service composed of two blocks, each with its own secrets."""


def production(**values: object) -> Composed:
    strong = {"secret_key": secrets.token_hex(32), "data_encryption_key": secrets.token_hex(32)}
    return Composed(environment="production", **{**strong, **values})  # type: ignore[arg-type]


def test_a_composed_service_checks_the_secrets_of_every_block() -> None:
    assert Composed.all_secret_fields() == (
        "secret_key",
        "jwt_previous_keys",
        "data_encryption_key",
        "data_encryption_previous_keys",
    )
    assert production().is_production


@pytest.mark.parametrize(
    ("values", "refused"),
    [
        ({"data_encryption_key": DEV_DATA_ENCRYPTION_KEY}, "DATA_ENCRYPTION_KEY is a known default"),
        ({"data_encryption_key": "ab" * 16}, "DATA_ENCRYPTION_KEY has fewer than 8 distinct"),
        (
            {"data_encryption_previous_keys": ["short"]},
            r"DATA_ENCRYPTION_PREVIOUS_KEYS\[0\] must be at least 32",
        ),
        # The development key of one block is no better as the value of another.
        (
            {"data_encryption_key": "dev-secret-key-not-for-production-use-00000"},
            "DATA_ENCRYPTION_KEY is a known",
        ),
    ],
)
def test_production_refuses_weak_encryption_keys(values: dict[str, object], refused: str) -> None:
    with pytest.raises(ValidationError, match=refused):
        production(**values)


def test_production_refuses_private_targets_but_allows_listed_networks() -> None:
    with pytest.raises(ValidationError, match=r"WEBHOOK_ALLOW_PRIVATE_TARGETS=true .* refused in production"):
        production(webhook_allow_private_targets=True)
    assert production(webhook_allowed_targets=["10.20.0.0/16"]).egress_policy().allowed_networks
    assert WebhookSettings(webhook_allow_private_targets=True).egress_policy().allow_private


def test_allowed_targets_must_be_networks() -> None:
    with pytest.raises(ValidationError, match="webhook_allowed_targets"):
        WebhookSettings(webhook_allowed_targets=["hooks.example.com"])


def test_the_secret_box_uses_the_active_and_previous_keys() -> None:
    old, new = secrets.token_hex(32), secrets.token_hex(32)
    sealed = WebhookSettings(data_encryption_key=SecretStr(old)).secret_box().seal("whsec_x")
    rotated = WebhookSettings(
        data_encryption_key=SecretStr(new), data_encryption_previous_keys=[SecretStr(old)]
    )
    assert rotated.secret_box().open(sealed) == "whsec_x"
