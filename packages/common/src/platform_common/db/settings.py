"""DATABASE_*: where the runtime role connects, and how its pool behaves."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from sqlalchemy.engine import make_url

from platform_common.settings import PlatformSettings


class DatabaseSettings(PlatformSettings):
    """The runtime connection (the non-owner role) and its asyncpg pool."""

    database_url: str = Field(description="Runtime connection (the non-owner app role).")
    database_pool_size: int = Field(default=10, ge=1, description="Connections the pool keeps open.")
    database_max_overflow: int = Field(
        default=10, ge=0, description="Extra connections beyond the pool size under burst."
    )
    database_pool_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for a pooled connection (then 503)."
    )
    database_pool_recycle: int = Field(
        default=1800,
        ge=0,
        description="Seconds an idle pooled connection is kept before it is closed; 0 keeps it.",
    )
    database_connect_timeout: float = Field(default=5.0, gt=0, description="Seconds to open a connection.")
    database_statement_timeout_ms: int = Field(default=10_000, ge=0, description="0 disables it.")
    database_statement_cache_size: int = Field(
        default=1024,
        ge=0,
        description="Prepared statements cached per connection (ignored under DATABASE_POOLER=transaction).",
    )
    database_pooler: Literal["none", "transaction"] = Field(
        default="none",
        description=(
            "transaction: DATABASE_URL is a transaction-pooling pooler (PgBouncer pool_mode=transaction): "
            "no named prepared statements, no session settings."
        ),
    )

    @property
    def statement_cache_size(self) -> int:
        """asyncpg's per-connection cache of **named** prepared statements. Behind a transaction
        pooler each transaction may land on another server connection, where that name does not
        exist (PgBouncer before 1.21 does not track them), so it is off. asyncpg then uses the
        unnamed statement: one round trip to describe it (parameter and result types), one to
        parse, bind and execute it, both inside the transaction, so on one server connection."""
        return 0 if self.database_pooler == "transaction" else self.database_statement_cache_size

    @field_validator("database_url", mode="before")
    @classmethod
    def _plain_postgresql_url(cls, value: object) -> object:
        """Accept ``postgresql://`` (as most tools print it), ``postgres://`` and the
        SQLAlchemy spelling ``postgresql+asyncpg://``; store the plain libpq form asyncpg takes."""
        if not isinstance(value, str):
            return value
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        url = make_url(value)
        if url.get_backend_name() != "postgresql":
            raise ValueError("DATABASE_URL must be a postgresql:// URL")
        return url.set(drivername="postgresql").render_as_string(hide_password=False)


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
