"""Sign-up, login, refresh-token rotation with reuse detection, logout, and authentication."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_common.auth.opaque import new_opaque_token, token_digest
from platform_common.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordHasher
from platform_common.auth.tokens import AccessClaims, InvalidToken, TokenCodec
from platform_common.errors import ErrorSource, Forbidden, Unauthorized
from platform_common.observability.security_metrics import AuthFailureReason, record_auth_failure
from todo_api.core.config import Settings
from todo_api.db.tenancy import use_tenant
from todo_api.models import Tenant, User, UserRole
from todo_api.repositories.auth_lookup import find_login_user, find_refresh_token_tenant
from todo_api.repositories.tenants import TenantRepository, new_tenant_id
from todo_api.repositories.tokens import RefreshTokenRepository, RevokedAccessTokenRepository
from todo_api.repositories.users import UserRepository
from todo_api.schemas.auth import SignupRequest, TokenPair
from todo_api.services.errors import conflict_from

GENERIC_LOGIN_FAILURE = "Incorrect e-mail or password"
GENERIC_TOKEN_FAILURE = "Invalid or expired credentials"  # noqa: S105  # a message


# Our failure reasons, as the bounded label values of ``auth_failures_total``.
_METRIC_REASONS = {
    "missing": AuthFailureReason.MISSING_CREDENTIALS,
    "bad_credentials": AuthFailureReason.INVALID_CREDENTIALS,
    "unknown_user": AuthFailureReason.INVALID_CREDENTIALS,
    "refresh_unknown": AuthFailureReason.INVALID_CREDENTIALS,
    "inactive_user": AuthFailureReason.INACTIVE_ACCOUNT,
    "refresh_expired": AuthFailureReason.EXPIRED,
    "refresh_revoked": AuthFailureReason.REVOKED,
    "refresh_reused": AuthFailureReason.REVOKED,
    "refresh_stale_user": AuthFailureReason.REVOKED,
    "revoked": AuthFailureReason.REVOKED,
    "stale_token_version": AuthFailureReason.REVOKED,
}


class AuthenticationFailed(Unauthorized):
    """Every failed authentication looks the same to the client; ``reason`` is for logs
    and the ``auth_failures_total`` metric, counted here so no raise goes uncounted."""

    def __init__(
        self, reason: str, detail: str = GENERIC_TOKEN_FAILURE, *, keep_changes: bool = False
    ) -> None:
        super().__init__(detail, keep_changes=keep_changes)
        self.reason = reason
        record_auth_failure(_METRIC_REASONS.get(reason, reason))


@dataclass(frozen=True)
class Authenticated:
    user: User
    claims: AccessClaims


class AuthService:
    def __init__(
        self, session: AsyncSession, settings: Settings, codec: TokenCodec, hasher: PasswordHasher
    ) -> None:
        self.session = session
        self.settings = settings
        self.codec = codec
        self.hasher = hasher

    async def signup(self, request: SignupRequest) -> tuple[Tenant, User]:
        hashed = await self.hasher.hash(request.password)
        tenant_id = await new_tenant_id(self.session)
        await use_tenant(self.session, tenant_id)
        try:
            tenant = await TenantRepository(self.session, tenant_id).create(
                slug=request.tenant_slug, name=request.tenant_name
            )
            user = await UserRepository(self.session, tenant_id).create(
                {
                    "email": request.email,
                    "hashed_password": hashed,
                    "full_name": request.full_name,
                    "role": UserRole.OWNER,
                }
            )
        except IntegrityError as exc:
            raise conflict_from(exc) or exc from exc
        return tenant, user

    async def login(self, email: str, password: str) -> TokenPair:
        """Unknown e-mail, wrong password and inactive user fail identically, at the same cost."""
        if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
            await self.hasher.verify(password[:MAX_PASSWORD_LENGTH], None)
            raise AuthenticationFailed("bad_credentials", GENERIC_LOGIN_FAILURE)
        user = await find_login_user(self.session, email.strip().lower())
        valid, new_hash = await self.hasher.verify(password, user.hashed_password if user else None)
        if user is None or not valid or not user.is_active:
            raise AuthenticationFailed("bad_credentials", GENERIC_LOGIN_FAILURE)
        await use_tenant(self.session, user.tenant_id)
        if new_hash:
            await UserRepository(self.session, user.tenant_id).update(user, {"hashed_password": new_hash})
        family_id = uuid.uuid4()
        now = datetime.now(UTC)
        family_expires = now + timedelta(seconds=self.settings.refresh_token_absolute_ttl_seconds)
        return await self._issue_pair(
            user, family_id=family_id, parent_id=None, family_expires_at=family_expires
        )

    async def refresh(self, refresh_token: str) -> TokenPair:
        digest = token_digest(refresh_token)
        tenant_id = await find_refresh_token_tenant(self.session, digest)
        if tenant_id is None:
            raise AuthenticationFailed("refresh_unknown")
        await use_tenant(self.session, tenant_id)
        tokens = RefreshTokenRepository(self.session, tenant_id)
        current = await tokens.get_by_hash_for_update(digest)
        if current is None or current.revoked_at is not None:
            raise AuthenticationFailed("refresh_revoked")
        if current.used_at is not None:
            # Reuse: whoever holds this family may be an attacker. End it for everyone.
            await tokens.revoke_family(current.family_id)
            raise AuthenticationFailed("refresh_reused", keep_changes=True)
        now = datetime.now(UTC)
        if current.expires_at <= now or current.family_expires_at <= now:
            raise AuthenticationFailed("refresh_expired")
        user = await UserRepository(self.session, tenant_id).get(current.user_id)
        if user is None or not user.is_active or user.token_version != current.user_token_version:
            await tokens.revoke_family(current.family_id)
            raise AuthenticationFailed("refresh_stale_user", keep_changes=True)
        await tokens.update(current, {"used_at": now})
        return await self._issue_pair(
            user,
            family_id=current.family_id,
            parent_id=current.id,
            family_expires_at=current.family_expires_at,
        )

    async def logout(self, auth: Authenticated, refresh_token: str) -> None:
        """End the presented refresh-token family (if it is the caller's) and this access token."""
        tenant_id = auth.user.tenant_id
        tokens = RefreshTokenRepository(self.session, tenant_id)
        presented = await tokens.get_by_hash_for_update(token_digest(refresh_token))
        if presented is not None and presented.user_id == auth.user.id:
            await tokens.revoke_family(presented.family_id)
        expires_at = datetime.fromtimestamp(auth.claims.expires_at, UTC)
        await RevokedAccessTokenRepository(self.session, tenant_id).revoke(auth.claims.token_id, expires_at)

    async def change_password(self, user: User, current_password: str, new_password: str) -> None:
        """Requires the current password; every token issued before the change stops working."""
        valid, _ = await self.hasher.verify(current_password, user.hashed_password)
        if not valid:
            # 403, not 401: the bearer token is fine, and a 401 (with WWW-Authenticate) tells
            # clients to drop or refresh it. Still a failed credential check, so counted.
            record_auth_failure(AuthFailureReason.INVALID_CREDENTIALS)
            raise Forbidden(
                "The current password is incorrect", source=ErrorSource(pointer="/current_password")
            )
        hashed = await self.hasher.hash(new_password)
        users = UserRepository(self.session, user.tenant_id)
        await users.update(user, {"hashed_password": hashed, "token_version": user.token_version + 1})
        if user.id is None:
            raise ValueError("the user must be persisted first")
        await RefreshTokenRepository(self.session, user.tenant_id).revoke_user(user.id)

    def verify(self, token: str | None) -> AccessClaims:
        """Check an access token's signature and claims (no I/O)."""
        if not token:
            raise AuthenticationFailed("missing")
        try:
            return self.codec.decode(token)
        except InvalidToken as exc:
            raise AuthenticationFailed(exc.reason) from exc

    async def load(self, claims: AccessClaims) -> Authenticated:
        """Check the current state of the user a verified token names."""
        await use_tenant(self.session, claims.tenant_id)
        found = await UserRepository(self.session, claims.tenant_id).get_for_token(
            claims.subject, claims.token_id
        )
        if found is None:
            raise AuthenticationFailed("unknown_user")
        user, revoked = found
        if revoked:
            raise AuthenticationFailed("revoked")
        if not user.is_active:
            raise AuthenticationFailed("inactive_user")
        if user.token_version != claims.token_version:
            raise AuthenticationFailed("stale_token_version")
        return Authenticated(user=user, claims=claims)

    async def _issue_pair(
        self, user: User, *, family_id: uuid.UUID, parent_id: uuid.UUID | None, family_expires_at: datetime
    ) -> TokenPair:
        if user.id is None:
            raise ValueError("the user must be persisted first")
        claims = self.codec.issue(
            subject=user.id, tenant_id=user.tenant_id, role=user.role.value, token_version=user.token_version
        )
        secret = new_opaque_token()
        idle_expiry = datetime.now(UTC) + timedelta(seconds=self.settings.refresh_token_idle_ttl_seconds)
        await RefreshTokenRepository(self.session, user.tenant_id).create(
            {
                "user_id": user.id,
                "family_id": family_id,
                "parent_id": parent_id,
                "token_hash": token_digest(secret),
                "user_token_version": user.token_version,
                "expires_at": min(idle_expiry, family_expires_at),
                "family_expires_at": family_expires_at,
            }
        )
        return TokenPair(
            access_token=self.codec.encode(claims),
            expires_in=self.settings.access_token_ttl_seconds,
            refresh_token=secret,
        )
