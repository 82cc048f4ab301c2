"""todo-api settings: every field is an environment variable of the same name, upper-cased."""

from __future__ import annotations

from functools import lru_cache

from platform_common.settings import PlatformSettings
from pydantic import Field, SecretStr, field_validator
from sqlalchemy.engine import make_url

DEV_SECRET_KEY = "dev-secret-key-not-for-production-use-00000"


class Settings(PlatformSettings):
    secret_fields = ("secret_key",)

    service_name: str = "todo-api"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    secret_key: SecretStr = Field(
        default=SecretStr(DEV_SECRET_KEY),
        description="Signing key for access tokens; >= 32 random bytes in production.",
    )

    database_url: str = Field(description="Runtime connection (the non-owner app role).")
    database_pool_size: int = Field(default=10, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    database_pool_timeout: float = Field(default=5.0, gt=0, description="Seconds to wait for a pooled connection.")
    database_pool_recycle: int = Field(default=1800, ge=-1, description="Seconds before a connection is replaced.")
    database_connect_timeout: float = Field(default=5.0, gt=0)
    database_statement_timeout_ms: int = Field(default=10_000, ge=0, description="0 disables it.")

    @field_validator("database_url", mode="before")
    @classmethod
    def _use_asyncpg_driver(cls, value: object) -> object:
        """Accept plain ``postgresql://`` URLs (as most tools print them) and Unix sockets."""
        if not isinstance(value, str):
            return value
        url = make_url(value)
        if url.get_backend_name() != "postgresql":
            raise ValueError("DATABASE_URL must be a postgresql:// URL")
        return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


@lru_cache
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # fields come from the environment


class MigrationSettings(PlatformSettings):
    """What ``alembic`` needs: the owner's connection and the runtime role to grant to."""

    migrations_database_url: str | None = Field(
        default=None, description="Owner-role connection for migrations; DATABASE_URL if unset."
    )
    database_url: str | None = None
    database_app_role: str | None = Field(
        default=None, description="Runtime role granted data access after each migration."
    )

    @property
    def url(self) -> str:
        url = self.migrations_database_url or self.database_url
        if not url:
            raise ValueError("Set MIGRATIONS_DATABASE_URL (or DATABASE_URL) to run migrations")
        return url
