"""Login, refresh-token rotation with reuse detection, logout, and authentication.

A login opens a *session* (``auth_session``): its id is the ``sid`` claim of every access
token it issues and the family of its refresh tokens. Every authenticated request checks,
in the one query that loads the caller, that the user is active, the token version current
and the session live; so logout, refresh-token reuse, a password change and deactivation
end every access token of the session at once, with no extra round trip.

Each of these records its event in the audit trail (``services.audit``) in its own unit of
work: a login, a refused login of an account (never of an unknown address), a logout, a
session ended by refresh-token reuse, a password change and a lockout.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

import structlog

from platform_common.auth.opaque import new_opaque_token, token_digest
from platform_common.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from platform_common.auth.tokens import AccessClaims, InvalidToken, TokenCodec
from platform_common.db.database import Database, Record, Transaction
from platform_common.errors import ErrorSource, Forbidden, NotFound, Unauthorized
from platform_common.observability.security_metrics import AuthFailureReason, record_auth_failure
from todo_api.core.runtime import Credentials
from todo_api.models import UserRole
from todo_api.repositories.auth_lookup import REFRESH_TOKEN_TENANT
from todo_api.repositories.people import PersonRepository
from todo_api.repositories.personal_tokens import PersonalTokenRepository
from todo_api.repositories.tenants import TenantRowRepository
from todo_api.repositories.tokens import RefreshTokenRepository, SessionRepository
from todo_api.repositories.users import UserRepository
from todo_api.schemas.audit import AuditEventType
from todo_api.schemas.auth import TokenPair
from todo_api.schemas.email import login_email
from todo_api.services.accounts import chosen_membership
from todo_api.services.audit import AuditTrail, Origin
from todo_api.services.errors import TenantNotFound

logger = structlog.get_logger(__name__)

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
    "session_ended": AuthFailureReason.REVOKED,
    "stale_token_version": AuthFailureReason.REVOKED,
    "password_change_lockout": AuthFailureReason.REVOKED,
    "tenant_pending_deletion": AuthFailureReason.INVALID_CREDENTIALS,
    "token_malformed": AuthFailureReason.INVALID_CREDENTIALS,
    "token_unknown": AuthFailureReason.INVALID_CREDENTIALS,
    "token_secret_mismatch": AuthFailureReason.INVALID_CREDENTIALS,
    "token_expired": AuthFailureReason.EXPIRED,
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


class InsufficientScope(Forbidden):
    """A personal access token without a scope the operation needs (RFC 6750 §3.1): the
    ``WWW-Authenticate`` header names the scopes; a new token with them is the remedy."""

    code = "insufficient_scope"
    title = "Insufficient scope"

    def __init__(self, needed: Collection[str]) -> None:
        scope = " ".join(sorted(needed))
        super().__init__(
            f"This personal access token lacks the scope {scope}",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
        )


class SessionRequired(Forbidden):
    """An operation no personal access token may call, whatever its scopes (tokens, users,
    invitations, passwords, memberships, the tenant, the audit trail; every operation that
    declares no scope): only a session's access token, from a login, may."""

    code = "session_required"
    title = "Session required"

    def __init__(self) -> None:
        super().__init__(
            "Personal access tokens cannot call this operation: log in",
            headers={
                "WWW-Authenticate": 'Bearer error="insufficient_scope", '
                'error_description="a session access token is required"'
            },
        )


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated user of a request, and the unit of work it runs in: by a session's
    access token (``claims``), or by a personal access token (``scopes``, ``token_id``)."""

    transaction: Transaction
    claims: AccessClaims | None
    user: Record  # the user's row, as loaded under the token's tenant
    scopes: frozenset[str] | None = None  # a personal access token's; None: a session, unlimited
    token_id: uuid.UUID | None = None  # the personal access token's

    @property
    def id(self) -> uuid.UUID:
        user_id: uuid.UUID = self.user["id"]
        return user_id

    @property
    def tenant_id(self) -> uuid.UUID:
        tenant_id: uuid.UUID = self.user["tenant_id"]
        return tenant_id

    @property
    def session_id(self) -> uuid.UUID:
        """The session of a session's access token (a personal access token has none)."""
        if self.claims is None:
            raise SessionRequired
        return self.claims.session_id

    @property
    def role(self) -> UserRole:
        return UserRole(self.user["role"])

    @property
    def default_list_id(self) -> uuid.UUID | None:
        """The user's default list as loaded with the user by ``load_caller`` (None: not made
        yet, or the row came from elsewhere; the task service then reads it)."""
        list_id: uuid.UUID | None = self.user.get("default_list_id")
        return list_id

    def require(self, needed: Collection[str] | None) -> None:
        """Refuse a personal access token the operation is not for: ``needed`` None (an
        operation for sessions only), or a scope of ``needed`` it lacks. A session may do all."""
        if self.scopes is None:
            return
        if needed is None:
            raise SessionRequired
        missing = set(needed) - self.scopes
        if missing:
            raise InsufficientScope(missing)


def verify_access_token(codec: TokenCodec, token: str | None) -> AccessClaims:
    """Check an access token's signature and claims (no I/O)."""
    if not token:
        raise AuthenticationFailed("missing")
    try:
        return codec.decode(token)
    except InvalidToken as exc:
        raise AuthenticationFailed(exc.reason) from exc


async def load_caller(
    transaction: Transaction, claims: AccessClaims, *, during_deletion: bool = False
) -> Caller:
    """The current state of the user a verified token names, in its tenant's transaction.

    A tenant pending deletion is 404 ``tenant_not_found`` to every request, before any other
    check (its sessions are all revoked anyway), but those that admit it (``during_deletion``:
    the owner's GET and DELETE of ``/tenants/current/deletion``)."""
    row = await UserRepository(transaction).load_caller(claims.subject, claims.session_id)
    if row is None:
        raise AuthenticationFailed("unknown_user")
    refuse_disabled_tenant(row, during_deletion=during_deletion)
    if not row["session_live"]:
        raise AuthenticationFailed("session_ended")
    if not row["is_active"]:
        raise AuthenticationFailed("inactive_user")
    if row["token_version"] != claims.token_version:
        raise AuthenticationFailed("stale_token_version")
    return Caller(transaction, claims, row)


def refuse_disabled_tenant(row: Record, *, during_deletion: bool = False) -> None:
    """404 for a caller whose tenant is pending deletion (``row`` carries
    ``tenant_deletion_requested_at``, ``UserRepository.load_caller``'s column): every
    credential's per-request check calls it."""
    if row["tenant_deletion_requested_at"] is not None and not during_deletion:
        record_auth_failure(AuthFailureReason.REVOKED)
        raise TenantNotFound


class AuthService:
    def __init__(self, transaction: Transaction, credentials: Credentials, origin: Origin) -> None:
        self.transaction = transaction
        self.settings = credentials.settings
        self.codec = credentials.codec
        self.hasher = credentials.hasher
        self.successors = credentials.successors
        self.audit = AuditTrail(transaction, origin)

    async def login(self, email: str, password: str, tenant: str | None = None) -> TokenPair:
        """Log a person in to one of their memberships: the tenant with slug ``tenant``, or
        else the most recently used active one. Unknown e-mail, wrong password, a tenant that
        is not theirs and an inactive membership fail identically, at the same cost."""
        person = await PersonRepository(self.transaction).by_email(login_email(email))
        account = chosen_membership(person, tenant)
        if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
            await self.hasher.verify(password[:MAX_PASSWORD_LENGTH], None)
            await self._refuse_login(account, "wrong_password")
        valid, new_hash = await self.hasher.verify(password, person[0]["hashed_password"] if person else None)
        if account is None or not valid or not account["is_active"]:
            await self._refuse_login(account, "inactive_user" if valid else "wrong_password")
        if not may_log_in_during_deletion(account):
            await self._refuse_login(account, "tenant_pending_deletion")
        await self.transaction.enter_tenant(account["tenant_id"])
        if new_hash:
            await PersonRepository(self.transaction).set_password(
                account["user_id"], new_hash, end_other_sessions=False
            )
        return await self.open_session(account["user_id"])

    async def open_session(self, user_id: uuid.UUID, details: dict[str, object] | None = None) -> TokenPair:
        """A new session of the membership ``user_id`` of the entered tenant (a login, a switch
        of tenant, a verified sign-up's owner, an accepted invitation's member): the membership becomes the most recently used,
        the login is recorded and the session's first token pair issued."""
        user = await UserRepository(self.transaction).update(user_id, {"last_used_at": datetime.now(UTC)})
        if user is None or not user["is_active"]:  # pragma: no cover - changed since the lookup
            raise AuthenticationFailed("bad_credentials", GENERIC_LOGIN_FAILURE)
        session_id = uuid.uuid4()
        expires_at = datetime.now(UTC) + timedelta(seconds=self.settings.refresh_token_absolute_ttl_seconds)
        await SessionRepository(self.transaction).create(
            session_id=session_id, user_id=user["id"], expires_at=expires_at
        )
        await self.audit.record(
            AuditEventType.LOGIN_SUCCEEDED,
            actor_id=user["id"],
            subject_id=user["id"],
            details={"session_id": str(session_id), **(details or {})},
        )
        return await self._issue_pair(
            user,
            session_id=session_id,
            parent_id=None,
            family_expires_at=expires_at,
            secret=new_opaque_token(),
        )

    async def _refuse_login(self, account: Record | None, reason: str) -> NoReturn:
        """Refuse a login, recording the attempt when the address names a membership (the one
        the login chose): in that membership's tenant, as ``auth.login.failed`` (no actor: no one was authenticated), in
        this unit of work, which holds nothing else and commits with the refusal.

        An unknown address records nothing, and its refusal makes the same round trips: a
        tenant entered (a made-up one, where nothing exists), one statement, the COMMIT. Both
        commit without waiting for the disk, so a commit that wrote the event takes as long as
        one that did not: neither the answer nor its time tells whether the address has an
        account. (An event lost in a crash within a fraction of a second is the price.)"""
        await self.transaction.enter_tenant(
            account["tenant_id"] if account else uuid.uuid4(), synchronous_commit=False
        )
        if account is None:
            await self.audit.probe()
        else:
            await self.audit.record(
                AuditEventType.LOGIN_FAILED,
                actor_id=None,
                subject_id=account["user_id"],
                details={"reason": reason},
            )
        raise AuthenticationFailed("bad_credentials", GENERIC_LOGIN_FAILURE, keep_changes=True)

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: the presented token is used up and its successor issued. Presenting a used
        token again ends the session (reuse detection), except within the grace window, while
        its successor is unused: then the same successor is returned (never a second chain)."""
        digest = token_digest(refresh_token)
        found = await self.transaction.lookup(REFRESH_TOKEN_TENANT, digest)
        if found is None:
            raise AuthenticationFailed("refresh_unknown")
        await self.transaction.enter_tenant(found["tenant_id"])
        tokens = RefreshTokenRepository(self.transaction)
        current = await tokens.get_by_hash_for_update(digest)  # concurrent refreshes queue here
        if current is None or current["revoked_at"] is not None:
            raise AuthenticationFailed("refresh_revoked")
        link, again = current, None
        if current["used_at"] is not None:
            again = await self._unused_successor(tokens, refresh_token, current)
            if again is None:
                # Reuse: whoever holds this family may be an attacker. End it for everyone.
                await self._revoke_session(current, "refresh_token_reused")
                raise AuthenticationFailed("refresh_reused", keep_changes=True)
            link = again[0]
        now = datetime.now(UTC)
        if link["expires_at"] <= now or link["family_expires_at"] <= now:
            raise AuthenticationFailed("refresh_expired")
        user = await UserRepository(self.transaction).get(current["user_id"])
        if user is None or not user["is_active"] or user["token_version"] != link["user_token_version"]:
            await self._revoke_session(current, "user_changed")
            raise AuthenticationFailed("refresh_stale_user", keep_changes=True)
        if again is not None:
            return self._pair(user, current["family_id"], refresh_token=again[1])
        await tokens.mark_used(current["id"])
        return await self._issue_pair(
            user,
            session_id=current["family_id"],
            parent_id=current["id"],
            family_expires_at=current["family_expires_at"],
            secret=self.successors.successor(refresh_token),
        )

    async def _unused_successor(
        self, tokens: RefreshTokenRepository, refresh_token: str, current: Record
    ) -> tuple[Record, str] | None:
        """The row and secret of the successor ``current`` was rotated to, when that rotation
        is within the grace window and the successor has not been used; else None."""
        grace = self.settings.refresh_token_reuse_grace_seconds
        if not grace or datetime.now(UTC) - current["used_at"] > timedelta(seconds=grace):
            return None
        candidates = self.successors.candidates(refresh_token)
        successor = await tokens.successor_for_update(current["id"], list(candidates))
        if successor is None or successor["used_at"] is not None:
            return None
        return successor, candidates[successor["token_hash"]]

    async def logout(self, caller: Caller, refresh_token: str) -> None:
        """End the caller's session (every access token it issued, its refresh tokens), and
        the presented refresh token's session too when it is the caller's own."""
        await self._end_session(caller.session_id)
        presented = await RefreshTokenRepository(self.transaction).get_by_hash_for_update(
            token_digest(refresh_token)
        )
        ended = [caller.session_id]
        if presented is not None and presented["user_id"] == caller.id:
            await self._end_session(presented["family_id"])
            ended.append(presented["family_id"])
        await self.audit.record(
            AuditEventType.LOGOUT,
            actor_id=caller.id,
            subject_id=caller.id,
            details={"session_ids": sorted({str(session) for session in ended})},
        )

    async def change_password(
        self,
        caller: Caller,
        current_password: str,
        new_password: str,
        *,
        revoke_personal_tokens: bool = False,
    ) -> None:
        """Requires the current password; every session and token of the user ends. Personal
        access tokens are kept unless ``revoke_personal_tokens`` (then the person's, in every
        membership, are revoked too).

        Both writes apply only at the token version the caller was loaded with, so a change
        that races a lockout or another change cannot land after it.
        """
        users, people = UserRepository(self.transaction), PersonRepository(self.transaction)
        version = caller.user["token_version"]
        await self.check_password(caller, current_password, pointer="/current_password")
        hashed = await self.hasher.hash(new_password)
        changes = {"token_version": version + 1, "password_change_failures": 0}
        if await users.update_at_version(caller.id, version, changes) is None:
            raise AuthenticationFailed("stale_token_version")
        await end_user_sessions(self.transaction, caller.id)
        # The person's password: their memberships of other tenants end their sessions too.
        await people.set_password(caller.id, hashed, end_other_sessions=True)
        if revoke_personal_tokens:
            await people.revoke_tokens(caller.id)
        await self.audit.record(
            AuditEventType.PASSWORD_CHANGED,
            actor_id=caller.id,
            subject_id=caller.id,
            details={"personal_access_tokens_revoked": True} if revoke_personal_tokens else None,
        )

    async def check_password(self, caller: Caller, password: str, *, pointer: str) -> None:
        """The caller's own password, asked again before a grave act (a password change, the
        tenant's deletion): a wrong one is 403 with ``pointer``.

        Wrong passwords are counted in a row: the one that reaches
        ``PASSWORD_CHANGE_MAX_FAILURES`` ends every session of the user (whoever guesses
        holds a token, and may not be its owner). The count applies only at the token
        version the caller was loaded with, so a guess that races a lockout cannot land
        after it.
        """
        users, people = UserRepository(self.transaction), PersonRepository(self.transaction)
        version = caller.user["token_version"]
        person = await people.of_member(caller.id)
        valid, _ = await self.hasher.verify(password, person["hashed_password"] if person else None)
        if not valid:
            # 403, not 401: the bearer token is fine, and a 401 (with WWW-Authenticate) tells
            # clients to drop or refresh it. Still a failed credential check, so counted.
            record_auth_failure(AuthFailureReason.INVALID_CREDENTIALS)
            failures = await users.count_password_change_failure(caller.id, version)
            if failures is None:
                raise AuthenticationFailed("stale_token_version")
            if failures >= self.settings.password_change_max_failures:
                await self._lock_out(caller, version)
                raise AuthenticationFailed("password_change_lockout", keep_changes=True)
            raise Forbidden(
                "The current password is incorrect",
                source=ErrorSource(pointer=pointer),
                keep_changes=True,  # the count
            )

    async def _lock_out(self, caller: Caller, version: int) -> None:
        """Too many wrong current passwords in a row: end every credential of the user (the
        guesser holds a session, with which they may have made a personal access token)."""
        await UserRepository(self.transaction).update(
            caller.id, {"token_version": version + 1, "password_change_failures": 0}
        )
        await end_user_access(self.transaction, caller.id)
        failures = self.settings.password_change_max_failures
        await self.audit.record(
            AuditEventType.PASSWORD_LOCKOUT,
            actor_id=caller.id,
            subject_id=caller.id,
            details={"failures": failures},
        )
        logger.warning("password_change_lockout", failures=failures)

    async def _revoke_session(self, token: Record, reason: str) -> None:
        """End the session of a refresh token that may be in the wrong hands, and record it."""
        await self._end_session(token["family_id"])
        await self.audit.record(
            AuditEventType.SESSION_REVOKED,
            actor_id=None,
            subject_id=token["user_id"],
            details={"session_id": str(token["family_id"]), "reason": reason},
        )

    async def _end_session(self, session_id: uuid.UUID) -> None:
        await SessionRepository(self.transaction).revoke(session_id)
        await RefreshTokenRepository(self.transaction).revoke_family(session_id)

    async def _issue_pair(
        self,
        user: Record,
        *,
        session_id: uuid.UUID,
        parent_id: uuid.UUID | None,
        family_expires_at: datetime,
        secret: str,
    ) -> TokenPair:
        idle_expiry = datetime.now(UTC) + timedelta(seconds=self.settings.refresh_token_idle_ttl_seconds)
        await RefreshTokenRepository(self.transaction).create(
            {
                "id": uuid.uuid4(),
                "user_id": user["id"],
                "family_id": session_id,
                "parent_id": parent_id,
                "token_hash": token_digest(secret),
                "user_token_version": user["token_version"],
                "expires_at": min(idle_expiry, family_expires_at),
                "family_expires_at": family_expires_at,
            }
        )
        return self._pair(user, session_id, refresh_token=secret)

    def _pair(self, user: Record, session_id: uuid.UUID, *, refresh_token: str) -> TokenPair:
        """A new access token of the session, with ``refresh_token``."""
        claims = self.codec.issue(
            subject=user["id"],
            tenant_id=user["tenant_id"],
            session_id=session_id,
            role=user["role"],
            token_version=user["token_version"],
        )
        return TokenPair(
            access_token=self.codec.encode(claims),
            expires_in=self.settings.access_token_ttl_seconds,
            refresh_token=refresh_token,
        )


class TenantSwitch:
    """A new session for another of the caller's memberships (``POST /auth/switch``).

    Two units of work, as a transaction serves one tenant: the caller's own (which loaded
    and checked the caller) reads their memberships through the person, and the target
    tenant's opens the session there, as a login would (recorded in the target's trail)."""

    def __init__(self, caller: Caller, database: Database, credentials: Credentials, origin: Origin) -> None:
        self.caller = caller
        self.database = database
        self.credentials = credentials
        self.origin = origin

    async def switch(self, tenant: str) -> TokenPair:
        memberships = await PersonRepository(self.caller.transaction).memberships(self.caller.id)
        target = next((row for row in memberships if row["tenant_slug"] == tenant), None)
        if target is None:
            raise NotFound("You are not a member of this tenant")
        if not target["is_active"]:
            raise Forbidden("Your membership of this tenant is deactivated")
        async with self.database.transaction(target["tenant_id"]) as transaction:
            row = await TenantRowRepository(transaction).get()
            if row is None or row["deletion_requested_at"] is not None:  # pending deletion
                raise NotFound("You are not a member of this tenant")
            return await AuthService(transaction, self.credentials, self.origin).open_session(
                target["user_id"], {"switched_from": str(self.caller.tenant_id)}
            )


def may_log_in_during_deletion(account: Record) -> bool:
    """A login into a tenant pending deletion is its active owner's, to cancel the deletion,
    and only before the purge is due (``auth_login_person``'s ``tenant_purge_after``)."""
    purge_after: datetime | None = account["tenant_purge_after"]
    return purge_after is None or (account["role"] == UserRole.OWNER and purge_after > datetime.now(UTC))


async def revoke_tenant_credentials(transaction: Transaction) -> None:
    """Every credential of every member of the entered tenant ends: sessions (so every
    access token), refresh tokens, token versions, reset links, pending invitations
    (``TenantRowRepository.revoke_every_credential``; a new kind of credential joins there).
    A request with one still in hand is refused anyway while the tenant is disabled
    (``refuse_disabled_tenant``)."""
    await TenantRowRepository(transaction).revoke_every_credential()


async def end_user_sessions(transaction: Transaction, user_id: uuid.UUID) -> None:
    """Every session and refresh token of a user ends (password change, deactivation)."""
    await SessionRepository(transaction).revoke_user(user_id)
    await RefreshTokenRepository(transaction).revoke_user(user_id)


async def end_user_access(transaction: Transaction, user_id: uuid.UUID) -> None:
    """Every credential of a user ends: its sessions and refresh tokens, and its personal access
    tokens too (deactivation; a lockout, whose guesser holds a session that could have made
    one). Reactivating the user revives none of them."""
    await end_user_sessions(transaction, user_id)
    await PersonalTokenRepository(transaction, user_id).delete_all()
