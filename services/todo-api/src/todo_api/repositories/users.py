"""Users of the caller's tenant, and the one query that authenticates a caller."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, literal, or_, select, true, update
from sqlalchemy.sql import ClauseElement, ColumnElement

from platform_common.db.database import Record
from platform_common.db.repository import TenantRepository, TenantScope, cached_statement
from platform_common.db.tables import table_of
from todo_api.models import AuthSession, PersonalAccessToken, TaskList, Tenant, User, UserRole

_USER = table_of(User)
_SESSION = table_of(AuthSession)
_LIST = table_of(TaskList)
_TENANT = table_of(Tenant)
_TOKEN = table_of(PersonalAccessToken)
# A token's last use is written at most this often: not a write per request.
LAST_USED_RESOLUTION = timedelta(seconds=60)


class UserRepository(TenantRepository):
    table = _USER

    async def load_caller(self, user_id: uuid.UUID, session_id: uuid.UUID) -> Record | None:
        """The user a token names, with whether the token's session is still live: the
        whole per-request authentication check in one round trip. It also carries the
        user's default list (``default_list_id``, NULL for a user the previous release made),
        where a task created without a list goes: one round trip less for a create, for one
        index probe more here; and whether the tenant is disabled, pending deletion
        (``tenant_deletion_requested_at``, by the tenant's primary key: one probe more)."""
        return await self.fetchrow(_caller(), user_id=user_id, session_id=session_id)

    async def load_token_caller(self, token_id: uuid.UUID, secret_hash: str) -> Record | None:
        """``load_caller`` for a personal access token: the user who owns the token of this id
        in the transaction's tenant, with the token's stored ``token_secret_hash`` (the caller
        compares it in constant time), ``token_scopes`` and ``token_live`` (not expired). The
        same statement stamps the token's ``last_used_at`` when ``secret_hash`` is the token's
        and the stamp is older than ``LAST_USED_RESOLUTION`` (a row another request is
        stamping is skipped, not waited for): still one round trip, and a write at most once a
        minute per token. Like ``load_caller``, it says whether the tenant is pending deletion
        (``tenant_deletion_requested_at``)."""
        return await self.fetchrow(_token_caller(), token_id=token_id, secret_hash=secret_hash)

    async def get(self, user_id: uuid.UUID, *, for_update: bool = False) -> Record | None:
        return await self.fetchrow(_by_id(for_update), id=user_id)

    async def has_email(self, email: str) -> bool:
        """Whether a user of this tenant has the (normalised) address."""
        return bool(await self.fetchval(_has_email(), email=email))

    async def page(self, *, limit: int, offset: int) -> list[Record]:
        """Oldest first; each row carries ``total``, the count of the whole list."""
        return await self.fetch(_page(), limit=limit, offset=offset)

    async def count(self) -> int:
        return int(await self.fetchval(_count()))

    async def insert(self, values: Mapping[str, Any]) -> Record:
        row = await self.fetchrow(_insert(tuple(sorted(values))), **values)
        assert row is not None  # noqa: S101  # INSERT ... RETURNING returns the row
        return row

    async def update(self, user_id: uuid.UUID, changes: Mapping[str, Any]) -> Record | None:
        return await self.fetchrow(_update(tuple(sorted(changes))), **changes, id=user_id)

    async def update_at_version(
        self, user_id: uuid.UUID, token_version: int, changes: Mapping[str, Any]
    ) -> Record | None:
        """``update``, only while the user's token version is still ``token_version``: None
        once a concurrent password change or lockout has moved it (and ended the sessions)."""
        return await self.fetchrow(
            _update(tuple(sorted(changes)), at_version=True),
            **changes,
            id=user_id,
            expected_version=token_version,
        )

    async def count_password_change_failure(self, user_id: uuid.UUID, token_version: int) -> int | None:
        """One more wrong current password; the count in a row, or None as ``update_at_version``."""
        failures = await self.fetchval(
            _count_password_change_failure(), id=user_id, expected_version=token_version
        )
        return None if failures is None else int(failures)

    async def delete(self, user_id: uuid.UUID) -> None:
        await self.execute(_delete(), id=user_id)

    async def count_active_owners(self) -> int:
        return int(await self.fetchval(_active_owners()))


def _default_list() -> Any:  # noqa: ANN401  # a scalar subquery
    return (
        select(_LIST.c.id)
        .where(TenantScope(_LIST).condition(), _LIST.c.owner_id == _USER.c.id, _LIST.c.is_default.is_(true()))
        .scalar_subquery()
    )


@cached_statement
def _caller() -> ClauseElement:
    session = and_(
        _SESSION.c.tenant_id == _USER.c.tenant_id,
        _SESSION.c.user_id == _USER.c.id,
        _SESSION.c.id == bindparam("session_id"),
    )
    live = and_(_SESSION.c.revoked_at.is_(None), _SESSION.c.expires_at > func.now())
    return (
        UserRepository.scope.select(
            _USER,
            func.coalesce(live, False).label("session_live"),
            _default_list().label("default_list_id"),
            tenant_deletion_requested().label("tenant_deletion_requested_at"),
        )
        .select_from(_USER.outerjoin(_SESSION, session))
        .where(_USER.c.id == bindparam("user_id"))
    )


def tenant_deletion_requested() -> ColumnElement[datetime | None]:
    """When the caller's tenant was disabled for deletion (NULL: it is not), as a scalar
    subquery a per-request caller query selects beside the caller's row (any credential's:
    a token's, a personal access token's), so a disabled tenant refuses every credential
    without a round trip more."""
    return (
        select(_TENANT.c.deletion_requested_at)
        .where(TenantScope(_TENANT).condition())
        .correlate(None)
        .scalar_subquery()
    )


@cached_statement
def _token_caller() -> ClauseElement:
    token_scope = TenantScope(_TOKEN)
    this_token = and_(token_scope.condition(), _TOKEN.c.id == bindparam("token_id", type_=_TOKEN.c.id.type))
    stale = or_(
        _TOKEN.c.last_used_at.is_(None), _TOKEN.c.last_used_at < func.now() - literal(LAST_USED_RESOLUTION)
    )
    stampable = (
        select(_TOKEN.c.id)
        .where(this_token, _TOKEN.c.secret_hash == bindparam("secret_hash"), stale)
        .with_for_update(skip_locked=True)
    )
    stamp = (
        update(_TOKEN)
        .where(token_scope.condition(), _TOKEN.c.id.in_(stampable))
        .values(last_used_at=func.now())
        .returning(_TOKEN.c.id)
        .cte("stamp")
    )
    live = or_(_TOKEN.c.expires_at.is_(None), _TOKEN.c.expires_at > func.now())
    owner = and_(_TOKEN.c.tenant_id == _USER.c.tenant_id, _TOKEN.c.owner_id == _USER.c.id)
    return (
        UserRepository.scope.select(
            _USER,
            _TOKEN.c.secret_hash.label("token_secret_hash"),
            _TOKEN.c.scopes.label("token_scopes"),
            live.label("token_live"),
            _default_list().label("default_list_id"),
            tenant_deletion_requested().label("tenant_deletion_requested_at"),
        )
        .select_from(_USER.join(_TOKEN, owner))
        .where(this_token)
        .add_cte(stamp)
    )


@cached_statement
def _by_id(for_update: bool) -> ClauseElement:
    statement = UserRepository.scope.select().where(_USER.c.id == bindparam("id"))
    return statement.with_for_update() if for_update else statement


@cached_statement
def _has_email() -> ClauseElement:
    return UserRepository.scope.select(true()).where(_USER.c.email == bindparam("email"))


@cached_statement
def _page() -> ClauseElement:
    total = UserRepository.scope.select(func.count()).correlate(None).scalar_subquery()
    return (
        UserRepository.scope.select(_USER, total.label("total"))
        .order_by(_USER.c.created_at, _USER.c.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


@cached_statement
def _count() -> ClauseElement:
    return UserRepository.scope.select(func.count())


@cached_statement
def _insert(columns: tuple[str, ...]) -> ClauseElement:
    return UserRepository.scope.insert(**UserRepository.scope.bound(*columns)).returning(_USER)


@cached_statement
def _update(columns: tuple[str, ...], *, at_version: bool = False) -> ClauseElement:
    statement = UserRepository.scope.update().where(_USER.c.id == bindparam("id"))
    if at_version:
        statement = statement.where(_USER.c.token_version == bindparam("expected_version"))
    return statement.values(**UserRepository.scope.bound(*columns)).returning(_USER)


@cached_statement
def _count_password_change_failure() -> ClauseElement:
    return (
        UserRepository.scope.update()
        .where(_USER.c.id == bindparam("id"), _USER.c.token_version == bindparam("expected_version"))
        .values(password_change_failures=_USER.c.password_change_failures + 1)
        .returning(_USER.c.password_change_failures)
    )


@cached_statement
def _delete() -> ClauseElement:
    return UserRepository.scope.delete().where(_USER.c.id == bindparam("id"))


@cached_statement
def _active_owners() -> ClauseElement:
    return UserRepository.scope.select(func.count()).where(
        _USER.c.role == UserRole.OWNER.value, _USER.c.is_active.is_(true())
    )
