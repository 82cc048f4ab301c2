"""What both sides of webhooks configure: the key that encrypts secrets at rest (webhook signing
secrets, and the secrets of queued e-mails: ``platform_common.mail``), and which targets
deliveries may reach (``platform_common.http.egress``)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from platform_common.http.client_ip import parse_networks
from platform_common.http.egress import EgressPolicy
from platform_common.settings import PlatformSettings
from platform_common.webhooks.secrets import SecretBox

DEV_DATA_ENCRYPTION_KEY = "dev-data-encryption-key-not-for-production-0000"  # production refuses it


class WebhookSettings(PlatformSettings):
    secret_fields = ("data_encryption_key", "data_encryption_previous_keys")

    data_encryption_key: SecretStr = Field(
        default=SecretStr(DEV_DATA_ENCRYPTION_KEY),
        description="Encrypts webhook signing secrets and e-mail secrets at rest; >= 32 random bytes in production.",
    )
    data_encryption_previous_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Retired keys that still decrypt (JSON list) until every secret is re-encrypted.",
    )
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Let webhooks reach loopback/private/link-local addresses: development and tests only.",
    )
    webhook_allowed_targets: list[str] = Field(
        default_factory=list,
        description="CIDRs webhooks may reach although private (receivers inside your network), JSON list.",
    )
    webhook_connect_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    webhook_read_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    webhook_max_response_bytes: int = Field(default=64 * 1024, ge=1024)

    @field_validator("webhook_allowed_targets")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        parse_networks(value)
        return value

    @model_validator(mode="after")
    def _no_private_targets_in_production(self) -> Self:
        if self.is_production and self.webhook_allow_private_targets:
            raise ValueError(
                "WEBHOOK_ALLOW_PRIVATE_TARGETS=true lets webhooks reach internal addresses: refused in "
                "production; list your receivers' networks in WEBHOOK_ALLOWED_TARGETS instead"
            )
        return self

    def egress_policy(self) -> EgressPolicy:
        return EgressPolicy(
            allow_private=self.webhook_allow_private_targets,
            allowed_networks=parse_networks(self.webhook_allowed_targets),
        )

    def secret_box(self) -> SecretBox:
        return SecretBox(
            self.data_encryption_key.get_secret_value(),
            [key.get_secret_value() for key in self.data_encryption_previous_keys],
        )
