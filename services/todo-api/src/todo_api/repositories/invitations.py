"""Invitations of the caller's tenant (only their tokens' hashes)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import TenantRepository, cached_statement
from platform_common.db.tables import table_of
from todo_api.models import Invitation

_INVITATION = table_of(Invitation)


class InvitationRepository(TenantRepository):
    table = _INVITATION

    async def create(self, values: Mapping[str, Any]) -> Record:
        row = await self.fetchrow(_create(tuple(sorted(values))), **values)
        assert row is not None  # noqa: S101  # INSERT ... RETURNING returns the row
        return row

    async def page(self, *, limit: int, offset: int) -> list[Record]:
        """The pending invitations, oldest first; each row carries ``total``, the count of them all."""
        return await self.fetch(_page(), limit=limit, offset=offset)

    async def count(self) -> int:
        return int(await self.fetchval(_count()))

    async def revoke(self, invitation_id: uuid.UUID) -> Record | None:
        """Revoke a pending invitation: its row, or None when there is no pending one of that id."""
        return await self.fetchrow(_revoke(by_email=False), id=invitation_id)

    async def revoke_for(self, email: str) -> list[Record]:
        """Revoke every pending invitation of ``email`` (a new one replaces them): their rows."""
        return await self.fetch(_revoke(by_email=True), email=email)

    async def accept(self, invitation_id: uuid.UUID, token_hash: str) -> Record | None:
        """Mark the invitation accepted, if it is that hash's and pending: its row, else None.
        One statement, so two acceptances with one token cannot both succeed."""
        return await self.fetchrow(_accept(), id=invitation_id, token_hash=token_hash)


def _pending() -> ColumnElement[bool]:
    return and_(
        _INVITATION.c.accepted_at.is_(None),
        _INVITATION.c.revoked_at.is_(None),
        _INVITATION.c.expires_at > func.now(),
    )


@cached_statement
def _create(columns: tuple[str, ...]) -> ClauseElement:
    scope = InvitationRepository.scope
    return scope.insert(**scope.bound(*columns)).returning(_INVITATION)


@cached_statement
def _page() -> ClauseElement:
    scope = InvitationRepository.scope
    total = scope.select(func.count()).where(_pending()).correlate(None).scalar_subquery()
    return (
        scope.select(_INVITATION, total.label("total"))
        .where(_pending())
        .order_by(_INVITATION.c.created_at, _INVITATION.c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@cached_statement
def _count() -> ClauseElement:
    return InvitationRepository.scope.select(func.count()).where(_pending())


@cached_statement
def _revoke(*, by_email: bool) -> ClauseElement:
    key = _INVITATION.c.email if by_email else _INVITATION.c.id
    return (
        InvitationRepository.scope.update()
        .where(key == bindparam("email" if by_email else "id"), _pending())
        .values(revoked_at=func.now())
        .returning(_INVITATION)
    )


@cached_statement
def _accept() -> ClauseElement:
    return (
        InvitationRepository.scope.update()
        .where(
            _INVITATION.c.id == bindparam("id"),
            _INVITATION.c.token_hash == bindparam("token_hash"),
            _pending(),
        )
        .values(accepted_at=func.now())
        .returning(_INVITATION)
    )
