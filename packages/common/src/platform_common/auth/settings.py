"""Token and password settings, and the codec and hasher built from them."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from platform_common.auth.passwords import PasswordHasher
from platform_common.auth.tokens import Keyring, TokenCodec
from platform_common.settings import PlatformSettings

DEV_SECRET_KEY = "dev-secret-key-not-for-production-use-00000"  # noqa: S105  # production refuses it


class TokenSettings(PlatformSettings):
    # Every signing key, active or retired, passes the same production check.
    secret_fields = ("secret_key", "jwt_previous_keys")

    secret_key: SecretStr = Field(
        default=SecretStr(DEV_SECRET_KEY),
        description="Active signing key for access tokens; >= 32 random bytes in production.",
    )
    jwt_key_id: str = Field(default="primary", min_length=1, description="kid of SECRET_KEY.")
    jwt_previous_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Retired keys still accepted for verification, as JSON {"kid": "key"}; '
        "production holds each to SECRET_KEY's rule.",
    )
    jwt_algorithms: list[str] = Field(default=["HS256"], min_length=1)
    jwt_issuer: str | None = Field(default=None, description="Required iss claim; SERVICE_NAME if unset.")
    jwt_audience: str | None = Field(default=None, description="Required aud claim; SERVICE_NAME if unset.")
    jwt_leeway_seconds: int = Field(default=10, ge=0, le=60)
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    refresh_token_idle_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=300)
    refresh_token_absolute_ttl_seconds: int = Field(default=30 * 24 * 3600, ge=300)
    refresh_token_reuse_grace_seconds: int = Field(
        default=10,
        ge=0,
        le=60,
        description="A just-rotated refresh token presented again this soon gets the same successor "
        "(two tabs, a retry) instead of ending the session; 0 turns this off.",
    )
    password_hash_concurrency: int = Field(default=2, ge=1, le=64)

    @field_validator("jwt_algorithms")
    @classmethod
    def _only_hmac_algorithms(cls, value: list[str]) -> list[str]:
        # The keyring holds shared secrets; an asymmetric algorithm must never verify with them.
        if any(alg not in {"HS256", "HS384", "HS512"} for alg in value):
            raise ValueError("only HS256, HS384 and HS512 are supported")
        return value

    @property
    def token_issuer(self) -> str:
        return self.jwt_issuer or self.service_name

    @property
    def token_audience(self) -> str:
        return self.jwt_audience or self.service_name


def build_token_codec(settings: TokenSettings) -> TokenCodec:
    keys = {kid: key.get_secret_value() for kid, key in settings.jwt_previous_keys.items()}
    keys[settings.jwt_key_id] = settings.secret_key.get_secret_value()
    return TokenCodec(
        keyring=Keyring(active_kid=settings.jwt_key_id, keys=keys),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        ttl_seconds=settings.access_token_ttl_seconds,
        algorithms=tuple(settings.jwt_algorithms),
        leeway_seconds=settings.jwt_leeway_seconds,
    )


def build_password_hasher(settings: TokenSettings) -> PasswordHasher:
    return PasswordHasher(concurrency=settings.password_hash_concurrency)
