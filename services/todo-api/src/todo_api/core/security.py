"""Security wiring: the token codec and password hasher built from settings."""

from __future__ import annotations

from platform_common.auth.passwords import PasswordHasher
from platform_common.auth.tokens import Keyring, TokenCodec
from todo_api.core.config import Settings


def build_token_codec(settings: Settings) -> TokenCodec:
    keys = {kid: key.get_secret_value() for kid, key in settings.jwt_previous_keys.items()}
    keys[settings.jwt_key_id] = settings.secret_key.get_secret_value()
    return TokenCodec(
        keyring=Keyring(active_kid=settings.jwt_key_id, keys=keys),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.access_token_ttl_seconds,
        algorithms=tuple(settings.jwt_algorithms),
        leeway_seconds=settings.jwt_leeway_seconds,
    )


def build_password_hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(concurrency=settings.password_hash_concurrency)
