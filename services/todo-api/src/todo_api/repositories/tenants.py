"""The caller's own tenant row (scoped by its key ``id``, as the tenant's table declares),
its deletion state, and the one statement that ends every credential of the tenant."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Interval, and_, bindparam, func
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import TenantRepository, TenantScope, cached_statement
from platform_common.db.tables import table_of
from todo_api.models import (
    AuthSession,
    Invitation,
    PasswordResetToken,
    PersonalAccessToken,
    RefreshToken,
    Tenant,
    User,
)

_TENANT = table_of(Tenant)
_SESSION = table_of(AuthSession)
_REFRESH = table_of(RefreshToken)
_USER = table_of(User)
_RESET = table_of(PasswordResetToken)
_INVITATION = table_of(Invitation)
_PERSONAL_TOKEN = table_of(PersonalAccessToken)


class TenantRowRepository(TenantRepository):
    table = _TENANT

    async def get(self, *, for_update: bool = False) -> Record | None:
        return await self.fetchrow(_get(for_update))

    async def create(self, *, slug: str, name: str) -> Record:
        row = await self.fetchrow(_create(), slug=slug, name=name)
        assert row is not None  # noqa: S101  # INSERT ... RETURNING returns the row
        return row

    async def rename(self, name: str) -> Record | None:
        return await self.fetchrow(_rename(), name=name)

    async def request_deletion(self, grace: timedelta) -> Record | None:
        """Disable the tenant, due for purge ``grace`` from now: its row, or None when a
        deletion is already pending."""
        return await self.fetchrow(_request_deletion(), grace=grace)

    async def cancel_deletion(self) -> Record | None:
        """Enable the tenant again: its row, or None when no deletion is pending or its purge
        is already due (``clock_timestamp()``, read after the row lock: a purge batch that
        held the row first has started deleting, and a cancellation cannot follow it)."""
        return await self.fetchrow(_cancel_deletion())

    async def revoke_every_credential(self) -> None:
        """End every credential of every member of the tenant, in one statement: sessions
        (and so every access token they issued), refresh tokens, the members' token
        versions (any token still in flight), unused password-reset links, pending
        invitations and personal access tokens. A credential kind added later joins here."""
        await self.execute(_revoke_every_credential())


@cached_statement
def _get(for_update: bool) -> ClauseElement:
    statement = TenantRowRepository.scope.select()
    return statement.with_for_update() if for_update else statement


@cached_statement
def _create() -> ClauseElement:
    return TenantRowRepository.scope.insert(
        slug=bindparam("slug", type_=_TENANT.c.slug.type), name=bindparam("name", type_=_TENANT.c.name.type)
    ).returning(_TENANT)


@cached_statement
def _rename() -> ClauseElement:
    return (
        TenantRowRepository.scope.update()
        .values(name=bindparam("name", type_=_TENANT.c.name.type))
        .returning(_TENANT)
    )


@cached_statement
def _request_deletion() -> ClauseElement:
    return (
        TenantRowRepository.scope.update()
        .where(_TENANT.c.deletion_requested_at.is_(None))
        .values(
            deletion_requested_at=func.now(),
            purge_after=func.now() + bindparam("grace", type_=Interval()),
        )
        .returning(_TENANT)
    )


@cached_statement
def _cancel_deletion() -> ClauseElement:
    return (
        TenantRowRepository.scope.update()
        .where(_TENANT.c.deletion_requested_at.is_not(None), _TENANT.c.purge_after > func.clock_timestamp())
        .values(deletion_requested_at=None, purge_after=None)
        .returning(_TENANT)
    )


@cached_statement
def _revoke_every_credential() -> ClauseElement:
    """Data-modifying CTEs run once each, referenced or not: one round trip for them all."""
    changes = (
        TenantScope(_SESSION).update().where(_SESSION.c.revoked_at.is_(None)).values(revoked_at=func.now()),
        TenantScope(_REFRESH).update().where(_REFRESH.c.revoked_at.is_(None)).values(revoked_at=func.now()),
        TenantScope(_USER)
        .update()
        .values(token_version=_USER.c.token_version + 1, password_change_failures=0),
        TenantScope(_RESET).update().where(_RESET.c.used_at.is_(None)).values(used_at=func.now()),
        TenantScope(_INVITATION)
        .update()
        .where(and_(_INVITATION.c.accepted_at.is_(None), _INVITATION.c.revoked_at.is_(None)))
        .values(revoked_at=func.now()),
        TenantScope(_PERSONAL_TOKEN).delete(),  # personal access tokens: revoked is deleted
    )
    ctes = [
        change.returning(change.table.c.tenant_id).cte(f"revoked_{number}")
        for number, change in enumerate(changes)
    ]
    return TenantRowRepository.scope.select(_TENANT.c.id).add_cte(*ctes)
