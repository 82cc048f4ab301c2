"""Personal access tokens: made, listed and revoked by their owner with a session, and
verified on every request they authenticate.

A token reads ``tdo_pat_<tenant>_<id>_<secret>``: the fixed prefix lets secret scanners find a
leaked one; the tenant and the row id (hex UUIDs) are its public part, so verification runs in
the one query that already loads the caller (``UserRepository.load_token_caller``, in the
tenant the token names, under that tenant's row-level security); the secret is 256 random
bits, of which only the SHA-256 is stored and compared in constant time. At most
``MAX_TOKENS_PER_USER`` per user. Making and revoking one are recorded in the audit trail.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeGuard

from platform_common.auth.opaque import new_opaque_token, token_digest
from platform_common.db.database import Transaction
from platform_common.errors import Conflict, ErrorSource, NotFound, UnprocessableEntity
from todo_api.repositories.personal_tokens import PersonalTokenRepository
from todo_api.repositories.users import UserRepository
from todo_api.schemas.audit import AuditEventType
from todo_api.schemas.personal_token import PersonalTokenCreate, PersonalTokenCreated, PersonalTokenRead
from todo_api.services.audit import AuditTrail, Origin
from todo_api.services.auth import AuthenticationFailed, Caller, refuse_disabled_tenant

TOKEN_PREFIX = "tdo_pat_"  # noqa: S105  # the public prefix, not a secret
_UUID_HEX = 32
_MAX_SECRET = 64  # new_opaque_token() makes 43 characters


def is_personal_token(token: str | None) -> TypeGuard[str]:
    """Whether a bearer token is a personal access token (its prefix), not a session's JWT."""
    return token is not None and token.startswith(TOKEN_PREFIX)


@dataclass(frozen=True, slots=True)
class PresentedToken:
    """A personal access token as presented: its public part, and its secret."""

    tenant_id: uuid.UUID
    token_id: uuid.UUID
    secret: str

    @classmethod
    def parse(cls, token: str) -> PresentedToken:
        """Split a presented token; a malformed one fails as any bad credential does."""
        tenant, _, rest = token.removeprefix(TOKEN_PREFIX).partition("_")
        token_id, _, secret = rest.partition("_")
        if len(tenant) != _UUID_HEX or len(token_id) != _UUID_HEX or not 0 < len(secret) <= _MAX_SECRET:
            raise AuthenticationFailed("token_malformed")
        try:
            return cls(uuid.UUID(hex=tenant), uuid.UUID(hex=token_id), secret)
        except ValueError:
            raise AuthenticationFailed("token_malformed") from None

    def format(self) -> str:
        return f"{TOKEN_PREFIX}{self.tenant_id.hex}_{self.token_id.hex}_{self.secret}"


async def load_token_caller(transaction: Transaction, presented: PresentedToken) -> Caller:
    """The owner of a presented personal access token, in its tenant's transaction (entered by
    the caller): one query, which also stamps the token's last use at most once a minute."""
    digest = token_digest(presented.secret)
    row = await UserRepository(transaction).load_token_caller(presented.token_id, digest)
    if row is None:
        raise AuthenticationFailed("token_unknown")
    if not hmac.compare_digest(row["token_secret_hash"], digest):
        raise AuthenticationFailed("token_secret_mismatch")
    refuse_disabled_tenant(row)  # 404 in a tenant pending deletion, as for a session
    if not row["token_live"]:
        raise AuthenticationFailed("token_expired")
    if not row["is_active"]:
        raise AuthenticationFailed("inactive_user")
    return Caller(transaction, None, row, scopes=frozenset(row["token_scopes"]), token_id=presented.token_id)


class TokenLimitReached(Conflict):
    """The user has ``MAX_TOKENS_PER_USER`` personal access tokens: a bound on what one
    account can make the database hold. Revoking one makes room."""

    code = "token_limit_reached"
    title = "Token limit reached"


class PersonalTokenService:
    def __init__(self, caller: Caller, max_per_user: int, origin: Origin) -> None:
        self.caller = caller
        self.max_per_user = max_per_user
        self.tokens = PersonalTokenRepository(caller.transaction, caller.id)
        self.audit = AuditTrail(caller.transaction, origin)

    async def create(self, request: PersonalTokenCreate) -> PersonalTokenCreated:
        if request.expires_at is not None and request.expires_at <= datetime.now(UTC):
            raise UnprocessableEntity(
                "A token's expiry must be in the future", source=ErrorSource(pointer="/expires_at")
            )
        # One create at a time per user (the row lock), so concurrent ones cannot pass the limit.
        await UserRepository(self.caller.transaction).get(self.caller.id, for_update=True)
        if await self.tokens.count() >= self.max_per_user:
            raise TokenLimitReached(
                f"You already have the maximum of {self.max_per_user} personal access tokens"
            )
        presented = PresentedToken(self.caller.tenant_id, uuid.uuid4(), new_opaque_token())
        scopes = [scope.value for scope in request.distinct_scopes()]
        row = await self.tokens.insert(
            {
                "id": presented.token_id,
                "name": request.name,
                "scopes": scopes,
                "secret_hash": token_digest(presented.secret),
                "expires_at": request.expires_at,
            }
        )
        await self._record(AuditEventType.TOKEN_CREATED, row["id"], row["name"], scopes)
        return PersonalTokenCreated(**PersonalTokenRead.from_row(row).model_dump(), token=presented.format())

    async def all(self) -> list[PersonalTokenRead]:
        return [PersonalTokenRead.from_row(row) for row in await self.tokens.all()]

    async def revoke(self, token_id: uuid.UUID) -> None:
        """At once: the token's next request is refused (its row is gone)."""
        row = await self.tokens.delete(token_id)
        if row is None:
            raise NotFound("No such personal access token")
        await self._record(AuditEventType.TOKEN_REVOKED, row["id"], row["name"], list(row["scopes"]))

    async def revoke_all(self) -> int:
        """Revoke every token of the caller (unaudited, one by one: for a flow that records its
        own event); how many there were."""
        return await self.tokens.delete_all()

    async def _record(self, event: AuditEventType, token_id: uuid.UUID, name: str, scopes: list[str]) -> None:
        await self.audit.record(
            event, actor_id=self.caller.id, subject_id=token_id, details={"name": name, "scopes": scopes}
        )
