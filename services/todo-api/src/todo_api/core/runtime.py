"""What todo-api's requests share: the platform runtime plus the token codec, the refresh-token
successor keys, the password hasher and the rate-limit policies, built once per process
from settings."""

from __future__ import annotations

from dataclasses import dataclass

from platform_common.app import ServiceRuntime
from platform_common.auth.opaque import Successors
from platform_common.auth.passwords import PasswordHasher
from platform_common.auth.settings import build_password_hasher, build_token_codec
from platform_common.auth.tokens import TokenCodec
from platform_common.db.tables import append_only_tables, tenant_tables
from platform_common.http.egress import system_resolver
from todo_api.core.config import Settings
from todo_api.core.delta_cursor import DeltaCursorCodec
from todo_api.core.rate_limits import RatePolicies
from todo_api.models import metadata


@dataclass(frozen=True)
class Credentials:
    """What the auth service needs besides its unit of work, built once per process."""

    settings: Settings
    codec: TokenCodec
    hasher: PasswordHasher
    successors: Successors

    @classmethod
    def from_settings(cls, settings: Settings) -> Credentials:
        codec = build_token_codec(settings)
        return cls(settings, codec, build_password_hasher(settings), Successors.from_keyring(codec.keyring))


class TodoRuntime(ServiceRuntime):
    settings: Settings

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            settings, tenant_tables=tenant_tables(metadata), append_only_tables=append_only_tables(metadata)
        )
        self.settings = settings
        self.credentials = Credentials.from_settings(settings)
        self.token_codec = self.credentials.codec
        self.password_hasher = self.credentials.hasher
        self.rate_policies = RatePolicies.from_settings(settings)
        self.delta_cursors = DeltaCursorCodec(self.token_codec.keyring)
        self.secret_box = settings.secret_box()
        self.egress_policy = settings.egress_policy()
        self.resolver = system_resolver  # replaceable: tests make names resolve where they need
