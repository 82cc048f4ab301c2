"""Server-side token state: sessions, refresh-token rotation chains, revoked access tokens,
password-reset tokens and sign-ups waiting for their address to be verified."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKeyConstraint, Index, PrimaryKeyConstraint, UniqueConstraint
from sqlmodel import Field

from platform_common.db.tables import tenant_owned
from todo_api.models.base import CreatedAt, UUIDPrimaryKey


class AuthSession(CreatedAt, table=True):
    """One login. Its id is the ``sid`` claim of every access token it issues and the
    ``family_id`` of its refresh-token chain; revoking it ends all of them at once (logout,
    refresh-token reuse, a password change), checked in the query that loads the caller."""

    __tablename__ = "auth_session"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id"),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["user.tenant_id", "user.id"], ondelete="CASCADE"),
        Index("ix_auth_session_user_id", "user_id"),
        Index("ix_auth_session_expires_at", "expires_at"),
        tenant_owned(),
    )

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    user_id: uuid.UUID
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class RefreshToken(UUIDPrimaryKey, CreatedAt, table=True):
    """One link of a rotation chain; only the SHA-256 of the secret is stored.

    All links of one login share ``family_id`` (the session's id). Presenting a link that
    was already used revokes the whole family (reuse detection, RFC 9700 §4.14.2).
    """

    __tablename__ = "refresh_token"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id"),
        # Led by the hash: the refresh's pre-tenant lookup finds the token by it alone (a hash
        # of a random secret: unique in practice across tenants, not by a global constraint).
        UniqueConstraint("token_hash", "tenant_id"),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["user.tenant_id", "user.id"], ondelete="CASCADE"),
        Index("ix_refresh_token_family_id", "family_id"),
        Index("ix_refresh_token_user_id", "user_id"),
        Index("ix_refresh_token_expires_at", "expires_at"),
        tenant_owned(),
    )

    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    user_id: uuid.UUID
    family_id: uuid.UUID
    parent_id: uuid.UUID | None = None
    token_hash: str = Field(max_length=64)
    user_token_version: int
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    family_expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class RevokedAccessToken(CreatedAt, table=True):
    """Access tokens ended early by logout before sessions existed. Nothing writes it any
    more (a session's revocation ends its tokens); kept until the release that drops it,
    so the previous version keeps working during a rolling upgrade."""

    __tablename__ = "revoked_access_token"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "jti"), tenant_owned())

    jti: str = Field(primary_key=True, max_length=64)
    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    expires_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)


class PasswordResetToken(CreatedAt, table=True):
    """A password-reset link's token: only its SHA-256 is stored; single use (``used_at``),
    valid until ``expires_at`` (one hour), deleted by the purge once expired. It names the
    account it resets (today a user row; the person, once accounts span tenants)."""

    __tablename__ = "password_reset_token"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id"),
        # Led by the hash: the confirmation's pre-tenant lookup finds the token by it alone.
        UniqueConstraint("token_hash", "tenant_id"),
        ForeignKeyConstraint(["tenant_id", "user_id"], ["user.tenant_id", "user.id"], ondelete="CASCADE"),
        Index("ix_password_reset_token_user_id", "user_id"),
        Index("ix_password_reset_token_expires_at", "expires_at"),
        tenant_owned(),
    )

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: uuid.UUID = Field(primary_key=True, foreign_key="tenant.id", ondelete="CASCADE")
    user_id: uuid.UUID
    token_hash: str = Field(max_length=64)
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class PendingSignup(CreatedAt, table=True):
    """A sign-up waiting for its address to be verified: what ``POST /auth/signup`` asked for,
    kept until its e-mailed token is presented (``used_at``) or expires (24 h; then purged).
    Nothing is created and no address is bound before that.

    Why tenant-owned, when no tenant exists yet: the row lives in the tenant it will create,
    ``tenant_id`` drawn at sign-up and given to that tenant at verification, as the outbox
    message carrying its link (``mail_message`` is tenant-owned) does. So the table needs only
    the isolation policy every tenant table has, one pre-tenant lookup by the token's hash
    (``auth_pending_signup``, as the password reset's) and one purge, all from
    ``platform_common.db.rls``: no new kind of definer function that writes. No foreign key to
    ``tenant``: the tenant does not exist yet. Only the SHA-256 of the token and the password's
    hash are stored."""

    __tablename__ = "pending_signup"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "id"),
        # Led by the hash: the verification's pre-tenant lookup finds the sign-up by it alone.
        UniqueConstraint("token_hash", "tenant_id"),
        Index("ix_pending_signup_expires_at", "expires_at"),
        tenant_owned(),
    )

    id: uuid.UUID = Field(primary_key=True)
    tenant_id: uuid.UUID = Field(primary_key=True)  # the tenant the verification creates
    token_hash: str = Field(max_length=64)
    email: str = Field(max_length=320)
    tenant_name: str = Field(max_length=200)
    tenant_slug: str = Field(max_length=63)
    full_name: str = Field(default="", max_length=200)
    hashed_password: str = Field(max_length=255)
    # Wrong passwords presented with the token (an existing account's branch): at the limit
    # the token is spent, so a leaked link is no password oracle.
    password_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
